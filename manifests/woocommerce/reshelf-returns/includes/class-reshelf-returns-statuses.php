<?php
/**
 * Order statuses for returns: Return requested, Return approved, Partly returned, Returned.
 *
 * An order keeps its place in WooCommerce's reports in every one of them: it was paid, and
 * its refunds (recorded separately) are what take the money back out. Analytics includes
 * custom statuses unless the merchant excludes them (WooCommerce › Settings › Analytics ›
 * Excluded statuses: plugins/woocommerce-admin/docs/woocommerce.com/analytics-settings.md);
 * the legacy reports count only the statuses of woocommerce_reports_order_statuses
 * (includes/admin/reports/class-wc-admin-report.php) and WC_Order::is_paid() only those of
 * wc_get_is_paid_statuses() (includes/wc-order-functions.php), so both filters list ours.
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
			// Some units are back, others may still come: the order stays returnable.
			'wc-partly-returned'  => _x( 'Partly returned', 'Order status', 'reshelf-returns' ),
			// Every unit of the order is back.
			'wc-returned'         => _x( 'Returned', 'Order status', 'reshelf-returns' ),
		);
	}

	/**
	 * Hook registration and listing.
	 */
	public static function register() {
		add_filter( 'woocommerce_register_shop_order_post_statuses', array( __CLASS__, 'add_post_statuses' ) );
		add_filter( 'wc_order_statuses', array( __CLASS__, 'add_to_list' ) );
		add_filter( 'woocommerce_order_is_paid_statuses', array( __CLASS__, 'add_to_paid' ) );
		add_filter( 'woocommerce_reports_order_statuses', array( __CLASS__, 'add_to_paid' ) );
	}

	/**
	 * Count orders in our statuses as paid, in reports and WC_Order::is_paid() alike.
	 *
	 * @param array|false $statuses Statuses without the "wc-" prefix (false: all statuses).
	 * @return array|false
	 */
	public static function add_to_paid( $statuses ) {
		if ( ! is_array( $statuses ) ) {
			return $statuses;
		}
		$ours = array_map(
			static function ( $slug ) {
				return substr( $slug, 3 );
			},
			array_keys( self::labels() )
		);
		return array_values( array_unique( array_merge( $statuses, $ours ) ) );
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
