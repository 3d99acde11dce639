<?php
/**
 * Tools › Erase Personal Data reaches Reshelf: what Reshelf keeps of a shopper goes too.
 *
 * @package Reshelf_Returns
 */

defined( 'ABSPATH' ) || exit;

/**
 * An eraser on the `wp_privacy_personal_data_erasers` filter. WordPress
 * (wp-admin/includes/ajax-actions.php, wp_ajax_wp_privacy_erase_personal_data(), whose
 * answers wp-admin/includes/privacy-tools.php collects) calls it with the request's email
 * address and a page number and expects items_removed, items_retained, messages and done.
 *
 * The eraser fires the `wc_reshelf_erase_personal_data` action with the shopper's account id
 * and order ids. Reshelf subscribes to `action.wc_reshelf_erase_personal_data` when it
 * connects, so WooCommerce delivers the request like every webhook: signed with the
 * webhook's secret, at the end of this request (wc_webhook_execute_queue()). Reshelf then
 * scrubs the shopper from every copy it keeps.
 *
 * It runs before WooCommerce's own erasers (priority 5; WC_Abstract_Privacy registers at
 * 10), so the orders still carry the email that finds them.
 */
class Reshelf_Returns_Privacy {

	const ACTION = 'wc_reshelf_erase_personal_data';

	/**
	 * Hook the eraser.
	 */
	public static function register() {
		add_filter( 'wp_privacy_personal_data_erasers', array( __CLASS__, 'add_eraser' ), 5 );
	}

	/**
	 * List the eraser on Tools › Erase Personal Data.
	 *
	 * @param array $erasers Erasers registered so far.
	 * @return array
	 */
	public static function add_eraser( $erasers ) {
		$erasers['reshelf-returns'] = array(
			'eraser_friendly_name' => __( 'Reshelf returns', 'reshelf-returns' ),
			'callback'             => array( __CLASS__, 'erase' ),
		);
		return $erasers;
	}

	/**
	 * Ask Reshelf to erase the person: their account id and their orders, found as
	 * WC_Privacy_Erasers::order_data_eraser() finds them (billing email or customer id).
	 *
	 * @param string $email_address The address the erasure request is for.
	 * @param int    $page          The page WordPress asks for (one is enough here).
	 * @return array
	 */
	public static function erase( $email_address, $page = 1 ) {
		$email     = strtolower( sanitize_email( $email_address ) );
		$user      = get_user_by( 'email', $email );
		$customers = array( $email );
		if ( $user instanceof WP_User ) {
			$customers[] = (int) $user->ID;
		}
		$order_ids = wc_get_orders(
			array(
				'customer' => $customers,
				'limit'    => -1,
				'return'   => 'ids',
			)
		);
		$request   = array(
			'request'     => wp_generate_uuid4(),
			'email'       => $email,
			'customer_id' => $user instanceof WP_User ? (int) $user->ID : 0,
			'order_ids'   => array_map( 'intval', (array) $order_ids ),
		);
		/**
		 * Reshelf's `action.wc_reshelf_erase_personal_data` webhook delivers this.
		 *
		 * @param array $request The request id, the email, the account id and the order ids.
		 */
		do_action( self::ACTION, $request );
		return array(
			'items_removed'  => false,
			'items_retained' => false,
			'messages'       => array( __( 'Reshelf was asked to erase the returns data it keeps for this person.', 'reshelf-returns' ) ),
			'done'           => true,
		);
	}
}
