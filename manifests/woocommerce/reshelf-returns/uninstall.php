<?php
/**
 * Remove what the plugin stored: its options and its movements table.
 *
 * @package Reshelf_Returns
 */

if ( ! defined( 'WP_UNINSTALL_PLUGIN' ) ) {
	exit;
}

global $wpdb;

delete_option( 'reshelf_returns_portal_url' );
delete_option( 'reshelf_returns_secret' );
$reshelf_returns_table = $wpdb->prefix . 'reshelf_movements';
$wpdb->query( "DROP TABLE IF EXISTS {$reshelf_returns_table}" ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery.SchemaChange, WordPress.DB.PreparedSQL.InterpolatedNotPrepared
