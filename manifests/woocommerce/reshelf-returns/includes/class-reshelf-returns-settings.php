<?php
/**
 * Settings page: the Reshelf portal URL and the shared secret that signs return links.
 *
 * @package Reshelf_Returns
 */

defined( 'ABSPATH' ) || exit;

/**
 * WooCommerce › Reshelf Returns, built on the Settings API (its form carries the nonce).
 */
class Reshelf_Returns_Settings {

	const OPTION_PORTAL = 'reshelf_returns_portal_url';
	const OPTION_SECRET = 'reshelf_returns_secret';
	const GROUP         = 'reshelf_returns';
	const PAGE          = 'reshelf-returns';

	/**
	 * Hook the page and its fields.
	 */
	public static function register() {
		add_action( 'admin_menu', array( __CLASS__, 'add_page' ) );
		add_action( 'admin_init', array( __CLASS__, 'register_settings' ) );
	}

	/**
	 * The portal URL, e.g. https://returns.example.com/returns/AbCdEf.
	 *
	 * @return string
	 */
	public static function portal_url() {
		return (string) get_option( self::OPTION_PORTAL, '' );
	}

	/**
	 * The secret shared with Reshelf.
	 *
	 * @return string
	 */
	public static function secret() {
		return (string) get_option( self::OPTION_SECRET, '' );
	}

	/**
	 * Add the page under the WooCommerce menu, for shop managers.
	 */
	public static function add_page() {
		add_submenu_page(
			'woocommerce',
			__( 'Reshelf Returns', 'reshelf-returns' ),
			__( 'Reshelf Returns', 'reshelf-returns' ),
			'manage_woocommerce',
			self::PAGE,
			array( __CLASS__, 'render_page' )
		);
	}

	/**
	 * Register both options with sanitising callbacks.
	 */
	public static function register_settings() {
		register_setting(
			self::GROUP,
			self::OPTION_PORTAL,
			array(
				'type'              => 'string',
				'sanitize_callback' => 'esc_url_raw',
				'default'           => '',
			)
		);
		register_setting(
			self::GROUP,
			self::OPTION_SECRET,
			array(
				'type'              => 'string',
				'sanitize_callback' => 'sanitize_text_field',
				'default'           => '',
			)
		);
		add_settings_section( 'reshelf_returns_main', __( 'Connection', 'reshelf-returns' ), '__return_false', self::PAGE );
		add_settings_field( self::OPTION_PORTAL, __( 'Portal URL', 'reshelf-returns' ), array( __CLASS__, 'render_portal_field' ), self::PAGE, 'reshelf_returns_main' );
		add_settings_field( self::OPTION_SECRET, __( 'Shared secret', 'reshelf-returns' ), array( __CLASS__, 'render_secret_field' ), self::PAGE, 'reshelf_returns_main' );
	}

	/**
	 * The portal URL input.
	 */
	public static function render_portal_field() {
		printf(
			'<input type="url" class="regular-text" name="%1$s" value="%2$s" /><p class="description">%3$s</p>',
			esc_attr( self::OPTION_PORTAL ),
			esc_attr( self::portal_url() ),
			esc_html__( 'Shown in Reshelf under Settings › WooCommerce.', 'reshelf-returns' )
		);
	}

	/**
	 * The secret input (a password field: it signs links shoppers can use).
	 */
	public static function render_secret_field() {
		printf(
			'<input type="password" class="regular-text" autocomplete="off" name="%1$s" value="%2$s" />',
			esc_attr( self::OPTION_SECRET ),
			esc_attr( self::secret() )
		);
	}

	/**
	 * The page itself; settings_fields() prints the nonce options.php checks.
	 */
	public static function render_page() {
		if ( ! current_user_can( 'manage_woocommerce' ) ) {
			return;
		}
		echo '<div class="wrap"><h1>' . esc_html( get_admin_page_title() ) . '</h1><form method="post" action="options.php">';
		settings_fields( self::GROUP );
		do_settings_sections( self::PAGE );
		submit_button();
		echo '</form></div>';
	}
}
