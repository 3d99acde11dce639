<?php
/**
 * REST route for Reshelf restocks: an atomic stock increase applied once per movement id.
 *
 * @package Reshelf_Returns
 */

defined( 'ABSPATH' ) || exit;

/**
 * POST /wp-json/wc-reshelf/v1/stock {product_id, quantity, movement_id}
 * GET  /wp-json/wc-reshelf/v1/movements/<movement_id>
 *
 * The "wc-" namespace makes WooCommerce authenticate the request with its REST API keys
 * (WC_REST_Authentication::is_request_to_rest_api). The movement id goes into a table
 * with a unique key inside the same transaction as wc_update_product_stock(), so a
 * repeated request (a retry, a duplicate job) changes nothing and says so.
 */
class Reshelf_Returns_Stock {

	const REST_NAMESPACE = 'wc-reshelf/v1';

	/**
	 * The movements table.
	 *
	 * @return string
	 */
	public static function table() {
		global $wpdb;
		return $wpdb->prefix . 'reshelf_movements';
	}

	/**
	 * Create the table (activation).
	 */
	public static function create_table() {
		global $wpdb;
		require_once ABSPATH . 'wp-admin/includes/upgrade.php';
		$charset = $wpdb->get_charset_collate();
		$table   = self::table();
		dbDelta(
			"CREATE TABLE {$table} (
			movement_id varchar(128) NOT NULL,
			product_id bigint(20) unsigned NOT NULL,
			quantity int(11) NOT NULL,
			stock_after int(11) NULL,
			created_at datetime NOT NULL,
			PRIMARY KEY  (movement_id)
			) {$charset};"
		);
	}

	/**
	 * Hook the routes.
	 */
	public static function register() {
		add_action( 'rest_api_init', array( __CLASS__, 'register_routes' ) );
	}

	/**
	 * Register both routes.
	 */
	public static function register_routes() {
		register_rest_route(
			self::REST_NAMESPACE,
			'/stock',
			array(
				'methods'             => WP_REST_Server::CREATABLE,
				'callback'            => array( __CLASS__, 'increase' ),
				'permission_callback' => array( __CLASS__, 'can_edit_stock' ),
				'args'                => array(
					'product_id'  => array(
						'type'     => 'integer',
						'required' => true,
						'minimum'  => 1,
					),
					'quantity'    => array(
						'type'     => 'integer',
						'required' => true,
						'minimum'  => 1,
					),
					'movement_id' => array(
						'type'      => 'string',
						'required'  => true,
						'maxLength' => 128,
						'pattern'   => '^[A-Za-z0-9_-]+$',
					),
				),
			)
		);
		register_rest_route(
			self::REST_NAMESPACE,
			'/movements/(?P<movement_id>[A-Za-z0-9_-]+)',
			array(
				'methods'             => WP_REST_Server::READABLE,
				'callback'            => array( __CLASS__, 'get_movement' ),
				'permission_callback' => array( __CLASS__, 'can_edit_stock' ),
			)
		);
	}

	/**
	 * Only users who may edit products (the API key's user) may move stock.
	 *
	 * @return bool
	 */
	public static function can_edit_stock() {
		return current_user_can( 'edit_products' );
	}

	/**
	 * Apply a movement once.
	 *
	 * @param WP_REST_Request $request The request.
	 * @return WP_REST_Response|WP_Error
	 */
	public static function increase( $request ) {
		global $wpdb;
		$movement_id = (string) $request['movement_id'];
		$quantity    = (int) $request['quantity'];
		$product     = wc_get_product( (int) $request['product_id'] );
		if ( ! $product ) {
			return new WP_Error( 'woocommerce_rest_product_invalid_id', __( 'Invalid ID.', 'reshelf-returns' ), array( 'status' => 404 ) );
		}
		if ( ! $product->managing_stock() ) {
			return new WP_Error( 'reshelf_stock_not_managed', __( 'This product does not manage stock.', 'reshelf-returns' ), array( 'status' => 409 ) );
		}
		$table = self::table();
		$wpdb->query( 'START TRANSACTION' );
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery, WordPress.DB.DirectDatabaseQuery.NoCaching
		$inserted = $wpdb->query(
			$wpdb->prepare(
				"INSERT IGNORE INTO {$table} (movement_id, product_id, quantity, created_at) VALUES (%s, %d, %d, %s)", // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
				$movement_id,
				$product->get_id(),
				$quantity,
				current_time( 'mysql', true )
			)
		);
		if ( 1 !== (int) $inserted ) {
			$wpdb->query( 'ROLLBACK' );
			$done = self::find( $movement_id );
			return rest_ensure_response( array_merge( $done, array( 'duplicate' => true ) ) );
		}
		$new_stock = wc_update_product_stock( $product, $quantity, 'increase' );
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery, WordPress.DB.DirectDatabaseQuery.NoCaching
		$wpdb->update( $table, array( 'stock_after' => (int) $new_stock ), array( 'movement_id' => $movement_id ), array( '%d' ), array( '%s' ) );
		$wpdb->query( 'COMMIT' );
		$response = rest_ensure_response( array_merge( self::find( $movement_id ), array( 'duplicate' => false ) ) );
		$response->set_status( 201 );
		return $response;
	}

	/**
	 * A recorded movement, or 404.
	 *
	 * @param WP_REST_Request $request The request.
	 * @return WP_REST_Response|WP_Error
	 */
	public static function get_movement( $request ) {
		$done = self::find( (string) $request['movement_id'] );
		if ( empty( $done ) ) {
			return new WP_Error( 'woocommerce_rest_movement_invalid_id', __( 'Invalid ID.', 'reshelf-returns' ), array( 'status' => 404 ) );
		}
		return rest_ensure_response( $done );
	}

	/**
	 * Read a movement row in the REST shape.
	 *
	 * @param string $movement_id The movement id.
	 * @return array
	 */
	private static function find( $movement_id ) {
		global $wpdb;
		$table = self::table();
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery, WordPress.DB.DirectDatabaseQuery.NoCaching
		$row = $wpdb->get_row( $wpdb->prepare( "SELECT * FROM {$table} WHERE movement_id = %s", $movement_id ), ARRAY_A ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		if ( ! $row ) {
			return array();
		}
		return array(
			'movement_id'    => $row['movement_id'],
			'product_id'     => (int) $row['product_id'],
			'quantity'       => (int) $row['quantity'],
			'stock_quantity' => null === $row['stock_after'] ? null : (int) $row['stock_after'],
		);
	}
}
