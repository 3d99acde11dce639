<?php
/**
 * Signed links into the Reshelf portal, so a signed-in shopper skips the order lookup.
 *
 * @package Reshelf_Returns
 */

defined( 'ABSPATH' ) || exit;

/**
 * The link is the portal's /from-store address with the order id, the billing email, an
 * expiry and an HMAC-SHA256 of "order_id|email|expires" under the shared secret. Reshelf
 * (connectors/woocommerce/portal_link.py) recomputes it.
 */
class Reshelf_Returns_Link {

	const LIFETIME = 7 * DAY_IN_SECONDS;

	/**
	 * The portal link for an order, or '' when the plugin is not configured.
	 *
	 * @param WC_Order $order The order.
	 * @return string
	 */
	public static function for_order( $order ) {
		$portal = Reshelf_Returns_Settings::portal_url();
		$secret = Reshelf_Returns_Settings::secret();
		if ( '' === $portal || '' === $secret || ! $order instanceof WC_Order ) {
			return '';
		}
		$order_id = (string) $order->get_id();
		$email    = strtolower( (string) $order->get_billing_email() );
		$expires  = (string) ( time() + self::LIFETIME );
		$sig      = hash_hmac( 'sha256', $order_id . '|' . $email . '|' . $expires, $secret );
		$args     = array(
			'order'     => $order_id,
			'email'     => rawurlencode( $email ),
			'expires'   => $expires,
			'signature' => $sig,
		);
		return add_query_arg( $args, trailingslashit( $portal ) . 'from-store' );
	}
}
