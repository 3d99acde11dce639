<?php
/**
 * What deactivation and activation do to orders in the plugin's statuses.
 *
 * @package Reshelf_Returns
 */

defined( 'ABSPATH' ) || exit;

/**
 * Parks orders in a core status while the plugin is off, and puts them back when it is on.
 *
 * Without the plugin, "wc-return-requested" and the others are no registered status: the
 * orders list and My Account only ask for registered ones, so those orders would vanish.
 * Deactivation (register_deactivation_hook, which fires while the plugin is still loaded:
 * https://developer.wordpress.org/reference/functions/register_deactivation_hook/) moves
 * each one to the core status it had before its return started, and keeps the Reshelf
 * status in its meta; activation restores it. Everything goes through wc_get_orders() and
 * the order's CRUD methods, so it works on HPOS and on the posts store alike
 * (https://developer.woocommerce.com/docs/hpos-extension-recipe-book).
 */
class Reshelf_Returns_Lifecycle {

	/**
	 * The Reshelf status an order was parked from (without "wc-").
	 */
	const PARKED_META = '_reshelf_returns_parked_status';

	/**
	 * The core status an order had when it entered a return status.
	 */
	const BEFORE_META = '_reshelf_returns_status_before';

	/**
	 * Orders loaded per query: small enough for memory, and each batch resets the time limit.
	 */
	const BATCH = 50;

	/**
	 * Where an order goes when it entered a return status before this version recorded it.
	 */
	const FALLBACK_STATUS = 'completed';

	/**
	 * Remember the core status an order leaves for a return status.
	 */
	public static function register() {
		add_action( 'woocommerce_order_status_changed', array( __CLASS__, 'remember_status_before' ), 10, 4 );
	}

	/**
	 * The plugin's statuses without "wc-".
	 *
	 * @return string[]
	 */
	public static function return_statuses() {
		return array_map(
			function ( $slug ) {
				return substr( $slug, 3 );
			},
			array_keys( Reshelf_Returns_Statuses::labels() )
		);
	}

	/**
	 * Keep the status an order had when its return started (woocommerce_order_status_changed
	 * fires from WC_Order::status_transition(), after the order is saved).
	 *
	 * @param int      $order_id Order id.
	 * @param string   $from     Old status, without "wc-".
	 * @param string   $to       New status, without "wc-".
	 * @param WC_Order $order    The order.
	 */
	public static function remember_status_before( $order_id, $from, $to, $order ) {
		$ours = self::return_statuses();
		if ( in_array( $to, $ours, true ) && ! in_array( $from, $ours, true ) && $order instanceof WC_Order ) {
			$order->update_meta_data( self::BEFORE_META, $from );
			$order->save_meta_data();
		}
	}

	/**
	 * Deactivation: every order in a return status moves to a core status.
	 *
	 * The plugin's code is gone once this returns, so nothing can be left for later: the
	 * batches go on until no order is left.
	 *
	 * @return int How many orders moved.
	 */
	public static function park_all() {
		self::quiet_emails();
		$moved = self::each_batch( array( 'status' => array_keys( Reshelf_Returns_Statuses::labels() ) ), array( __CLASS__, 'park' ) );
		self::quiet_emails( false );
		return $moved;
	}

	/**
	 * Activation: every parked order gets its Reshelf status back.
	 *
	 * Runs in the activation request, where plugins_loaded has passed without the plugin,
	 * so the statuses are added to wc_order_statuses here first: WC_Abstract_Order::set_status()
	 * turns a status that is not listed there into "pending".
	 *
	 * @return int How many orders got their status back.
	 */
	public static function restore_all() {
		if ( ! has_filter( 'wc_order_statuses', array( 'Reshelf_Returns_Statuses', 'add_to_list' ) ) ) {
			Reshelf_Returns_Statuses::register();
		}
		// The posts store passes no meta_query to WP_Query unless asked to (WooCommerce's
		// "wc_get_orders and WC_Order_Query" wiki, "Adding Custom Parameter Support"); HPOS
		// reads it itself (https://developer.woocommerce.com/docs/hpos-order-querying-apis).
		add_filter( 'woocommerce_order_data_store_cpt_get_orders_query', array( __CLASS__, 'pass_meta_query' ), 10, 2 );
		$parked   = array(
			array(
				'key'     => self::PARKED_META,
				'compare' => 'EXISTS',
			),
		);
		$restored = self::each_batch( array( 'meta_query' => $parked ), array( __CLASS__, 'restore' ) ); // phpcs:ignore WordPress.DB.SlowDBQuery.slow_db_query_meta_query
		remove_filter( 'woocommerce_order_data_store_cpt_get_orders_query', array( __CLASS__, 'pass_meta_query' ), 10 );
		return $restored;
	}

	/**
	 * Apply $change to every order the query finds, a batch at a time.
	 *
	 * A changed order leaves the query, so the first page is always the next batch; an order
	 * the change could not take out is excluded from then on, so the loop ends. Each batch
	 * resets PHP's time limit (wc_set_time_limit), so a store with thousands of returned
	 * orders is not cut off halfway.
	 *
	 * @param array    $query  wc_get_orders() arguments that select the orders.
	 * @param callable $change Takes a WC_Order, returns whether it counts as changed.
	 * @return int How many orders $change changed.
	 */
	private static function each_batch( $query, $change ) {
		$changed = 0;
		$stuck   = array();
		do {
			wc_set_time_limit( 60 );
			$orders = wc_get_orders(
				array_merge(
					$query,
					array(
						'type'    => 'shop_order',
						'limit'   => self::BATCH,
						'orderby' => 'ID',
						'order'   => 'ASC',
						'exclude' => $stuck,
					)
				)
			);
			foreach ( $orders as $order ) {
				if ( call_user_func( $change, $order ) ) {
					++$changed;
				} else {
					$stuck[] = $order->get_id();
				}
			}
		} while ( ! empty( $orders ) );
		return $changed;
	}

	/**
	 * Give the posts store's WP_Query the meta_query of the order query.
	 *
	 * @param array $query      WP_Query arguments.
	 * @param array $query_vars wc_get_orders() arguments.
	 * @return array
	 */
	public static function pass_meta_query( $query, $query_vars ) {
		if ( ! empty( $query_vars['meta_query'] ) ) {
			$query['meta_query'] = array_merge( $query['meta_query'] ?? array(), $query_vars['meta_query'] ); // phpcs:ignore WordPress.DB.SlowDBQuery.slow_db_query_meta_query
		}
		return $query;
	}

	/**
	 * The core status an order is parked in: the one it had before its return, if WooCommerce
	 * still knows it, else "completed".
	 *
	 * @param WC_Order $order The order.
	 * @return string
	 */
	private static function core_status( $order ) {
		$before = (string) $order->get_meta( self::BEFORE_META );
		$known  = in_array( 'wc-' . $before, array_keys( wc_get_order_statuses() ), true );
		return $known && ! in_array( $before, self::return_statuses(), true ) ? $before : self::FALLBACK_STATUS;
	}

	/**
	 * Move one order to its core status, the Reshelf status kept in meta.
	 *
	 * Stock stays as it is: wc_maybe_reduce_stock_levels(), which a move to processing or
	 * completed triggers, does nothing for an order already flagged order_stock_reduced
	 * (includes/wc-stock-functions.php), and Reshelf's restocks leave that flag alone.
	 *
	 * @param WC_Order $order An order in a return status.
	 * @return bool Whether it moved.
	 */
	private static function park( $order ) {
		$status = $order->get_status();
		$target = self::core_status( $order );
		$order->update_meta_data( self::PARKED_META, $status );
		/* translators: %s: the return status, e.g. "Return approved" */
		$note = sprintf( __( 'Reshelf Returns was deactivated: the order keeps its return status (%s) in its data and gets it back when the plugin is activated again.', 'reshelf-returns' ), self::label( $status ) );
		$order->set_status( $target, $note );
		$order->save();
		return $order->get_status() === $target;
	}

	/**
	 * Give one parked order its Reshelf status back, unless the store changed it meanwhile.
	 *
	 * @param WC_Order $order A parked order.
	 * @return bool Whether its status changed.
	 */
	private static function restore( $order ) {
		$parked = (string) $order->get_meta( self::PARKED_META );
		$order->delete_meta_data( self::PARKED_META );
		if ( ! in_array( $parked, self::return_statuses(), true ) || $order->get_status() !== self::core_status( $order ) ) {
			// Someone moved the order on while the plugin was off (refunded, cancelled...): keep that.
			$order->save();
			return false;
		}
		$order->set_status( $parked, __( 'Reshelf Returns was activated: the order is back in its return status.', 'reshelf-returns' ) );
		$order->save();
		return true;
	}

	/**
	 * A return status's label.
	 *
	 * @param string $status Status without "wc-".
	 * @return string
	 */
	private static function label( $status ) {
		$labels = Reshelf_Returns_Statuses::labels();
		return $labels[ 'wc-' . $status ] ?? $status;
	}

	/**
	 * Moving an order back to "completed" fires woocommerce_order_status_completed, which
	 * sends the shopper "Your order is complete" again (includes/class-wc-emails.php,
	 * includes/emails/class-wc-email-customer-completed-order.php); the switch is not news
	 * to them, so that email is off while orders are parked.
	 *
	 * @param bool $quiet Whether to silence it (false lets it go again).
	 */
	private static function quiet_emails( $quiet = true ) {
		if ( $quiet ) {
			add_filter( 'woocommerce_email_enabled_customer_completed_order', '__return_false', 99 );
		} else {
			remove_filter( 'woocommerce_email_enabled_customer_completed_order', '__return_false', 99 );
		}
	}
}
