<?php
/**
 * Order statuses for returns: Return requested, Return approved, Returned.
 *
 * @package Reshelf_Returns
 */

defined( 'ABSPATH' ) || exit;

/**
 * Registers the statuses (posts and HPOS alike) and lists them where WooCommerce does.
 */
class Reshelf_Returns_Statuses {

	/**
	 * Slug (with WooCommerce's "wc-" prefix) => label.
	 *
	 * @return array<string, string>
	 */
	public static function labels() {
		return array(
			'wc-return-requested' => _x( 'Return requested', 'Order status', 'reshelf-returns' ),
			'wc-return-approved'  => _x( 'Return approved', 'Order status', 'reshelf-returns' ),
			'wc-returned'         => _x( 'Returned', 'Order status', 'reshelf-returns' ),
		);
	}

	/**
	 * Hook registration and listing.
	 */
	public static function register() {
		add_filter( 'woocommerce_register_shop_order_post_statuses', array( __CLASS__, 'add_post_statuses' ) );
		add_filter( 'wc_order_statuses', array( __CLASS__, 'add_to_list' ) );
	}

	/**
	 * Register each status so orders can have it and the order list can filter by it.
	 *
	 * @param array $statuses Statuses WooCommerce registers.
	 * @return array
	 */
	public static function add_post_statuses( $statuses ) {
		foreach ( self::labels() as $slug => $label ) {
			$statuses[ $slug ] = array(
				'label'                     => $label,
				'public'                    => false,
				'exclude_from_search'       => false,
				'show_in_admin_all_list'    => true,
				'show_in_admin_status_list' => true,
				/* translators: %s: number of orders */
				'label_count'               => _n_noop( $label . ' <span class="count">(%s)</span>', $label . ' <span class="count">(%s)</span>', 'reshelf-returns' ),
			);
		}
		return $statuses;
	}

	/**
	 * Add the statuses to wc_get_order_statuses() (status dropdowns, REST validation).
	 *
	 * @param array $statuses Existing statuses.
	 * @return array
	 */
	public static function add_to_list( $statuses ) {
		return array_merge( $statuses, self::labels() );
	}
}
