<?php
/**
 * "Return an item" in My Account › Orders and on the order page.
 *
 * @package Reshelf_Returns
 */

defined( 'ABSPATH' ) || exit;

/**
 * Adds the button where shoppers look for it; only for orders that can come back.
 */
class Reshelf_Returns_Buttons {

	/**
	 * Statuses whose orders may be returned: others have nothing delivered yet, or
	 * ("returned") every unit back already; a partly returned order has units left.
	 *
	 * @var string[]
	 */
	const RETURNABLE = array( 'completed', 'processing', 'return-requested', 'return-approved', 'partly-returned' );

	/**
	 * Hook both places.
	 */
	public static function register() {
		add_filter( 'woocommerce_my_account_my_orders_actions', array( __CLASS__, 'add_action' ), 10, 2 );
		add_action( 'woocommerce_order_details_after_order_table', array( __CLASS__, 'render_button' ) );
	}

	/**
	 * Add "Return an item" to the actions of an order in My Account › Orders.
	 *
	 * @param array    $actions Existing actions.
	 * @param WC_Order $order   The order.
	 * @return array
	 */
	public static function add_action( $actions, $order ) {
		$url = self::url_for( $order );
		if ( '' !== $url ) {
			$actions['reshelf-return'] = array(
				'url'  => $url,
				'name' => __( 'Return an item', 'reshelf-returns' ),
			);
		}
		return $actions;
	}

	/**
	 * Print the button under the order table on the order page.
	 *
	 * @param WC_Order $order The order.
	 */
	public static function render_button( $order ) {
		$url = self::url_for( $order );
		if ( '' === $url ) {
			return;
		}
		printf(
			'<p class="reshelf-returns"><a class="button" href="%1$s">%2$s</a></p>',
			esc_url( $url ),
			esc_html__( 'Return an item', 'reshelf-returns' )
		);
	}

	/**
	 * The signed link for a returnable order of the current customer, else ''.
	 *
	 * @param WC_Order $order The order.
	 * @return string
	 */
	private static function url_for( $order ) {
		if ( ! $order instanceof WC_Order || ! in_array( $order->get_status(), self::RETURNABLE, true ) ) {
			return '';
		}
		if ( (int) $order->get_customer_id() !== get_current_user_id() ) {
			return '';
		}
		return Reshelf_Returns_Link::for_order( $order );
	}
}
