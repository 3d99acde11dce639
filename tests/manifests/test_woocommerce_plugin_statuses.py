"""The plugin's PHP, run with WordPress stubbed: its statuses, its button, its report filters.

What the connector sets and what the emulator accepts must be what the plugin registers,
and the emulator's button must follow the plugin's RETURNABLE.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from connectors.woocommerce.consts import PARTLY_RETURNED, PLUGIN_STATUSES, RETURNED
from sandbox.woocommerce import plugin, storefront
from sandbox.woocommerce.ordering import CORE_STATUSES

PLUGIN = Path(__file__).resolve().parents[2] / "manifests" / "woocommerce" / "reshelf-returns"
PHP = shutil.which("php") or ""
pytestmark = pytest.mark.skipif(not PHP, reason="php is not installed (apt-get install php-cli)")

STUBS = r"""<?php
define( 'ABSPATH', '/' );
function _x( $text, $context, $domain ) { return $text; }
function __( $text, $domain ) { return $text; }
function _n_noop( $one, $many, $domain ) { return array( $one, $many ); }
function add_filter( $hook, $callback, $priority = 10, $args = 1 ) {}
function add_action( $hook, $callback, $priority = 10, $args = 1 ) {}
function get_current_user_id() { return 7; }
class WC_Order {
    public $status;
    public function __construct( $status ) { $this->status = $status; }
    public function get_status() { return $this->status; }
    public function get_customer_id() { return 7; }
}
class Reshelf_Returns_Link {
    public static function for_order( $order ) { return 'https://reshelf.example/x'; }
}
require '%(plugin)s/includes/class-reshelf-returns-statuses.php';
require '%(plugin)s/includes/class-reshelf-returns-buttons.php';
$statuses = json_decode( $argv[1] );
$buttons = array();
foreach ( $statuses as $status ) {
    $actions = Reshelf_Returns_Buttons::add_action( array(), new WC_Order( $status ) );
    $buttons[ $status ] = isset( $actions['reshelf-return'] );
}
echo json_encode( array(
    'labels'  => array_keys( Reshelf_Returns_Statuses::labels() ),
    'buttons' => $buttons,
    'paid'    => Reshelf_Returns_Statuses::add_to_paid( array( 'processing', 'completed' ) ),
    'all'     => Reshelf_Returns_Statuses::add_to_paid( false ),
) );
"""


@pytest.fixture(scope="module")
def php_answer(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    script = tmp_path_factory.mktemp("php") / "statuses.php"
    script.write_text(STUBS % {"plugin": PLUGIN})
    statuses = json.dumps([*CORE_STATUSES, *plugin.STATUSES])
    out = subprocess.run(
        [PHP, str(script), statuses], capture_output=True, text=True, check=True
    ).stdout
    return dict(json.loads(out))


def test_the_plugin_registers_every_status_reshelf_sets_and_the_emulator_accepts(php_answer):
    registered = {slug.removeprefix("wc-") for slug in php_answer["labels"]}
    assert registered == set(plugin.STATUSES)
    assert {*PLUGIN_STATUSES.values(), PARTLY_RETURNED, RETURNED} <= registered


def test_the_button_stays_on_a_partly_returned_order_and_leaves_a_returned_one(php_answer):
    buttons = php_answer["buttons"]
    assert buttons[PARTLY_RETURNED] is True
    assert buttons[RETURNED] is False
    assert {status for status, shown in buttons.items() if shown} == set(storefront.RETURNABLE)


def test_reports_count_the_plugins_statuses_as_paid(php_answer):
    assert php_answer["paid"] == ["processing", "completed", *plugin.STATUSES]
    assert php_answer["all"] is False  # "every status" stays every status
