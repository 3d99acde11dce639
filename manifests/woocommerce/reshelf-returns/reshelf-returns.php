<?php
/**
 * Plugin Name:       Reshelf Returns
 * Plugin URI:        https://github.com/reshelf/reshelf
 * Description:       "Return an item" buttons that open the Reshelf returns portal, return order statuses, an exactly-once stock increase for Reshelf restocks, and personal data erasure forwarded to Reshelf.
 * Version:           0.1.0
 * Requires at least: 6.3
 * Requires PHP:      7.4
 * Requires Plugins:  woocommerce
 * Author:            Reshelf
 * License:           GPL-2.0-or-later
 * License URI:       https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:       reshelf-returns
 * Domain Path:       /languages
 * WC requires at least: 8.0
 * WC tested up to:   10.3
 *
 * @package Reshelf_Returns
 */

defined( 'ABSPATH' ) || exit;

define( 'RESHELF_RETURNS_VERSION', '0.1.0' );
define( 'RESHELF_RETURNS_FILE', __FILE__ );
define( 'RESHELF_RETURNS_DIR', plugin_dir_path( __FILE__ ) );

require_once RESHELF_RETURNS_DIR . 'includes/class-reshelf-returns-settings.php';
require_once RESHELF_RETURNS_DIR . 'includes/class-reshelf-returns-link.php';
require_once RESHELF_RETURNS_DIR . 'includes/class-reshelf-returns-buttons.php';
require_once RESHELF_RETURNS_DIR . 'includes/class-reshelf-returns-statuses.php';
require_once RESHELF_RETURNS_DIR . 'includes/class-reshelf-returns-stock.php';
require_once RESHELF_RETURNS_DIR . 'includes/class-reshelf-returns-privacy.php';
require_once RESHELF_RETURNS_DIR . 'includes/class-reshelf-returns-lifecycle.php';

/**
 * Create the movements table (one row per applied stock movement, unique by its id) and
 * give orders parked by a deactivation their return status back.
 */
function reshelf_returns_activate() {
	Reshelf_Returns_Stock::create_table();
	if ( function_exists( 'wc_get_orders' ) ) {
		Reshelf_Returns_Lifecycle::restore_all();
	}
}
register_activation_hook( __FILE__, 'reshelf_returns_activate' );

/**
 * Move orders out of the return statuses, which are unregistered once the plugin is off
 * (their orders would vanish from WooCommerce › Orders and My Account).
 */
function reshelf_returns_deactivate() {
	if ( function_exists( 'wc_get_orders' ) ) {
		Reshelf_Returns_Lifecycle::park_all();
	}
}
register_deactivation_hook( __FILE__, 'reshelf_returns_deactivate' );

/**
 * Declare compatibility with WooCommerce's order tables (HPOS): the plugin only uses the
 * CRUD API (wc_get_order, $order->get_*), never the posts table.
 */
function reshelf_returns_declare_hpos() {
	if ( class_exists( '\Automattic\WooCommerce\Utilities\FeaturesUtil' ) ) {
		\Automattic\WooCommerce\Utilities\FeaturesUtil::declare_compatibility( 'custom_order_tables', __FILE__, true );
	}
}
add_action( 'before_woocommerce_init', 'reshelf_returns_declare_hpos' );

/**
 * Wire everything once WordPress and WooCommerce are loaded.
 */
function reshelf_returns_init() {
	load_plugin_textdomain( 'reshelf-returns', false, dirname( plugin_basename( __FILE__ ) ) . '/languages' );
	if ( ! class_exists( 'WooCommerce' ) ) {
		return;
	}
	Reshelf_Returns_Settings::register();
	Reshelf_Returns_Buttons::register();
	Reshelf_Returns_Statuses::register();
	Reshelf_Returns_Stock::register();
	Reshelf_Returns_Privacy::register();
	Reshelf_Returns_Lifecycle::register();
}
add_action( 'plugins_loaded', 'reshelf_returns_init' );
