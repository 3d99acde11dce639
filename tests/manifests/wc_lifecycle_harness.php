<?php
/**
 * Runs the plugin's activation and deactivation hooks against small stand-ins for WordPress
 * and WooCommerce, and prints what happened to the orders as JSON.
 *
 * Usage: php wc_lifecycle_harness.php <plugin dir> <abspath> <hpos|posts>
 *
 * The stand-ins keep what the hooks rely on from the real code:
 * - wc_get_order_statuses() is filtered by wc_order_statuses on every call, and
 *   WC_Abstract_Order::set_status() turns a status missing from it into "pending";
 * - WC_Order::save() fires woocommerce_order_status_changed, and a move to "completed" sends
 *   the customer_completed_order email unless woocommerce_email_enabled_customer_completed_order
 *   says no (includes/class-wc-emails.php, includes/emails/class-wc-email.php is_enabled());
 * - on the posts store wc_get_orders() drops meta_query unless a
 *   woocommerce_order_data_store_cpt_get_orders_query filter puts it into the WP_Query args;
 *   on HPOS it applies it (https://developer.woocommerce.com/docs/hpos-order-querying-apis).
 */

list( , $plugin_dir, $abspath, $storage ) = $argv;
define( 'ABSPATH', rtrim( $abspath, '/' ) . '/' );

$hooks        = array();
$orders       = array();
$emails       = array();
$loaded       = 0;
$time_resets  = 0;
$lifecycle    = array();

function add_filter( $name, $callback, $priority = 10, $args = 1 ) {
	global $hooks;
	$hooks[ $name ][ $priority ][] = array( $callback, $args );
	return true;
}
function add_action( $name, $callback, $priority = 10, $args = 1 ) {
	return add_filter( $name, $callback, $priority, $args );
}
function has_filter( $name, $callback ) {
	global $hooks;
	foreach ( $hooks[ $name ] ?? array() as $list ) {
		foreach ( $list as $entry ) {
			if ( $entry[0] === $callback ) {
				return true;
			}
		}
	}
	return false;
}
function remove_filter( $name, $callback, $priority = 10 ) {
	global $hooks;
	foreach ( $hooks[ $name ][ $priority ] ?? array() as $i => $entry ) {
		if ( $entry[0] === $callback ) {
			unset( $hooks[ $name ][ $priority ][ $i ] );
			return true;
		}
	}
	return false;
}
function apply_filters( $name, $value, ...$rest ) {
	global $hooks;
	$byprio = $hooks[ $name ] ?? array();
	ksort( $byprio );
	foreach ( $byprio as $list ) {
		foreach ( $list as $entry ) {
			$value = call_user_func_array( $entry[0], array_slice( array_merge( array( $value ), $rest ), 0, $entry[1] ) );
		}
	}
	return $value;
}
function do_action( $name, ...$args ) {
	global $hooks;
	$byprio = $hooks[ $name ] ?? array();
	ksort( $byprio );
	foreach ( $byprio as $list ) {
		foreach ( $list as $entry ) {
			call_user_func_array( $entry[0], array_slice( $args, 0, $entry[1] ) );
		}
	}
}
function __return_false() {
	return false;
}
function __( $text, $domain ) {
	return $text;
}
function _x( $text, $context, $domain ) {
	return $text;
}
function _n_noop( $single, $plural, $domain ) {
	return array( $single, $plural );
}
function plugin_dir_path( $file ) {
	return dirname( $file ) . '/';
}
function plugin_basename( $file ) {
	return basename( dirname( $file ) ) . '/' . basename( $file );
}
function load_plugin_textdomain( ...$args ) {
	return true;
}
function register_activation_hook( $file, $callback ) {
	global $lifecycle;
	$lifecycle['activate'] = $callback;
}
function register_deactivation_hook( $file, $callback ) {
	global $lifecycle;
	$lifecycle['deactivate'] = $callback;
}
function wc_set_time_limit( $limit = 0 ) {
	global $time_resets;
	++$time_resets;
}
function wc_get_order_statuses() {
	$core = array(
		'wc-pending'    => 'Pending payment',
		'wc-processing' => 'Processing',
		'wc-on-hold'    => 'On hold',
		'wc-completed'  => 'Completed',
		'wc-cancelled'  => 'Cancelled',
		'wc-refunded'   => 'Refunded',
		'wc-failed'     => 'Failed',
	);
	return apply_filters( 'wc_order_statuses', $core );
}
function current_time( $type, $gmt = 0 ) {
	return '2026-01-01 00:00:00';
}

class WooCommerce {}

class Fake_WPDB {
	public $prefix = 'wp_';
	public function get_charset_collate() {
		return '';
	}
}
$wpdb = new Fake_WPDB();

class WC_Order {
	public $id;
	public $status;
	public $meta   = array();
	public $notes  = array();
	private $saved_status;
	private $note  = '';

	public function __construct( $id, $status ) {
		$this->id           = $id;
		$this->status       = $status;
		$this->saved_status = $status;
	}
	public function get_id() {
		return $this->id;
	}
	public function get_status() {
		return $this->status;
	}
	public function set_status( $status, $note = '' ) {
		if ( ! in_array( 'wc-' . $status, array_keys( wc_get_order_statuses() ), true ) ) {
			$status = 'pending';
		}
		$this->status = $status;
		$this->note   = $note;
	}
	public function get_meta( $key ) {
		return $this->meta[ $key ] ?? '';
	}
	public function update_meta_data( $key, $value ) {
		$this->meta[ $key ] = $value;
	}
	public function delete_meta_data( $key ) {
		unset( $this->meta[ $key ] );
	}
	public function save_meta_data() {
	}
	public function save() {
		$from = $this->saved_status;
		$to   = $this->status;
		$this->saved_status = $to;
		if ( $from === $to ) {
			return $this->id;
		}
		$this->notes[] = trim( $this->note . " Order status changed from $from to $to." );
		$this->note    = '';
		if ( 'completed' === $to && apply_filters( 'woocommerce_email_enabled_customer_completed_order', true ) ) {
			global $emails;
			$emails[] = $this->id;
		}
		do_action( 'woocommerce_order_status_changed', $this->id, $from, $to, $this );
		return $this->id;
	}
}

function wc_get_orders( $args ) {
	global $orders, $storage, $loaded;
	$statuses = (array) ( $args['status'] ?? array_keys( wc_get_order_statuses() ) );
	$meta     = $args['meta_query'] ?? array();
	if ( 'posts' === $storage ) {
		$wp_args = apply_filters( 'woocommerce_order_data_store_cpt_get_orders_query', array(), $args, null );
		$meta    = $wp_args['meta_query'] ?? array();
	}
	$found = array();
	ksort( $orders );
	foreach ( $orders as $order ) {
		if ( ! in_array( 'wc-' . $order->get_status(), $statuses, true ) || in_array( $order->get_id(), $args['exclude'] ?? array(), true ) ) {
			continue;
		}
		foreach ( $meta as $clause ) {
			if ( 'EXISTS' === $clause['compare'] && ! array_key_exists( $clause['key'], $order->meta ) ) {
				continue 2;
			}
		}
		$found[] = $order;
		if ( count( $found ) === $args['limit'] ) {
			break;
		}
	}
	$loaded += count( $found );
	return $found;
}

function new_order( $id, $status ) {
	global $orders;
	$orders[ $id ] = new WC_Order( $id, $status );
	return $orders[ $id ];
}
function move( $order, $status ) {
	$order->set_status( $status );
	$order->save();
}
function snapshot() {
	global $orders, $emails, $loaded, $time_resets;
	$out = array();
	foreach ( $orders as $order ) {
		$out[ $order->get_id() ] = array(
			'status' => $order->get_status(),
			'meta'   => (object) $order->meta,
			'notes'  => $order->notes,
		);
	}
	$result      = array(
		'orders'      => $out,
		'emails'      => $emails,
		'loaded'      => $loaded,
		'time_resets' => $time_resets,
	);
	$emails      = array();
	$loaded      = 0;
	$time_resets = 0;
	return $result;
}

// A request with the plugin active: the main file is loaded, then plugins_loaded runs.
require $plugin_dir . '/reshelf-returns.php';
do_action( 'plugins_loaded' );

$shipped  = new_order( 1, 'processing' );
$approved = new_order( 2, 'completed' );
$returned = new_order( 3, 'completed' );
$kept     = new_order( 4, 'completed' );
$older    = new_order( 5, 'return-requested' ); // entered its status before the plugin recorded the one before.
$refund   = new_order( 6, 'completed' );
move( $shipped, 'return-requested' );
move( $approved, 'return-requested' );
move( $approved, 'return-approved' );
move( $returned, 'returned' );
move( $refund, 'return-approved' );
for ( $id = 100; $id < 230; $id++ ) {
	move( new_order( $id, 'completed' ), 'returned' );
}
foreach ( $orders as $order ) {
	$order->notes = array();
}
$before = snapshot();

// Deactivation runs while the plugin is still loaded.
call_user_func( $lifecycle['deactivate'] );
$deactivated = snapshot();

// With the plugin off, the merchant refunds order 6 in full.
$hooks = array();
move( $refund, 'refunded' );
snapshot();

// Activation: the main file is included, but plugins_loaded has already run without it.
call_user_func( $lifecycle['activate'] );
$activated = snapshot();

echo json_encode(
	array(
		'before'      => $before,
		'deactivated' => $deactivated,
		'activated'   => $activated,
	)
);
