"""The WordPress plugin: PHP that lints, WordPress conventions, and links Reshelf accepts."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlparse

import pytest

from connectors.woocommerce import portal_link

PLUGIN = Path(__file__).resolve().parents[2] / "manifests" / "woocommerce" / "reshelf-returns"
PHP_FILES = sorted(PLUGIN.rglob("*.php"))
PHP = shutil.which("php") or ""
needs_php = pytest.mark.skipif(not PHP, reason="php is not installed (apt-get install php-cli)")


@needs_php
@pytest.mark.parametrize("path", PHP_FILES, ids=lambda p: str(p.relative_to(PLUGIN)))
def test_php_lint(path):
    result = subprocess.run([PHP, "-l", str(path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_header_readme_and_versions_agree():
    main = (PLUGIN / "reshelf-returns.php").read_text()
    header = dict(re.findall(r"^ \* ([A-Za-z ]+):\s+(.+)$", main, re.MULTILINE))
    assert header["Plugin Name"] == "Reshelf Returns"
    assert header["Text Domain"] == "reshelf-returns"
    readme = (PLUGIN / "readme.txt").read_text()
    assert f"Stable tag: {header['Version']}" in readme
    assert f"define( 'RESHELF_RETURNS_VERSION', '{header['Version']}' );" in main


I18N_CALL = re.compile(r"\b(?:__|_e|_x|_n_noop|esc_html__|esc_html_e|esc_attr__)\(")


def _calls(text):
    """The argument text of every translation call, parentheses balanced."""
    for match in I18N_CALL.finditer(text):
        depth, end = 1, match.end()
        while depth:
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            end += 1
        yield text[match.end() : end - 1]


def test_files_guard_direct_access_and_use_one_text_domain():
    for path in PHP_FILES:
        text = path.read_text()
        guard = "WP_UNINSTALL_PLUGIN" if path.name == "uninstall.php" else "ABSPATH"
        assert guard in text, path.name
        for args in _calls(text):
            assert args.rstrip().endswith("'reshelf-returns'"), (path.name, args)


def test_uninstall_removes_options_and_table():
    text = (PLUGIN / "uninstall.php").read_text()
    assert "delete_option( 'reshelf_returns_portal_url' )" in text
    assert "delete_option( 'reshelf_returns_secret' )" in text
    assert "DROP TABLE IF EXISTS" in text


STUBS = r"""<?php
define( 'ABSPATH', '/' );
define( 'DAY_IN_SECONDS', 86400 );
$options = array( 'reshelf_returns_portal_url' => $argv[1], 'reshelf_returns_secret' => $argv[2] );
function get_option( $name, $default = false ) {
    global $options;
    return $options[ $name ] ?? $default;
}
function trailingslashit( $s ) { return rtrim( $s, '/' ) . '/'; }
function add_query_arg( $args, $url ) { return $url . '?' . implode( '&', array_map(
    function ( $k, $v ) { return $k . '=' . $v; }, array_keys( $args ), $args ) ); }
class WC_Order {
    public function get_id() { return 1234; }
    public function get_billing_email() { return 'Ann@Example.com'; }
}
require '%s/includes/class-reshelf-returns-settings.php';
require '%s/includes/class-reshelf-returns-link.php';
echo Reshelf_Returns_Link::for_order( new WC_Order() );
"""


@needs_php
def test_the_plugins_link_is_one_reshelf_accepts(tmp_path):
    script = tmp_path / "link.php"
    script.write_text(STUBS % (PLUGIN, PLUGIN))
    link = subprocess.run(
        [PHP, str(script), "https://reshelf.example/returns/KEY", "s3cret"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    parsed = urlparse(link)
    assert parsed.path == "/returns/KEY/from-store"
    args = dict(parse_qsl(parsed.query))
    now = datetime.now(UTC)
    assert portal_link.verify("s3cret", args, now) == ("1234", "ann@example.com")
    with pytest.raises(portal_link.BadLink):
        portal_link.verify("another-secret", args, now)


def test_the_eraser_fires_the_action_reshelf_subscribes_to_before_woocommerce_erases():
    """The plugin's eraser is listed before WooCommerce's (priority 5 < 10, while orders still
    carry the email) and fires the action whose webhook Reshelf creates on connect."""
    from connectors.woocommerce.consts import ERASE_TOPIC, TOPICS

    text = (PLUGIN / "includes" / "class-reshelf-returns-privacy.php").read_text()
    main = (PLUGIN / "reshelf-returns.php").read_text()
    assert (
        "add_filter( 'wp_privacy_personal_data_erasers', array( __CLASS__, 'add_eraser' ), 5 )"
        in text
    )
    assert f"const ACTION = '{ERASE_TOPIC.removeprefix('action.')}';" in text
    assert "do_action( self::ACTION, $request );" in text
    assert ERASE_TOPIC in TOPICS
    assert "Reshelf_Returns_Privacy::register();" in main
