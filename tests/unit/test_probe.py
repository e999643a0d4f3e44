"""The probe classifier: what a privileged call did, read from the baseline and the probe's run."""

from __future__ import annotations

from eth_utils.address import to_checksum_address

from moneygrow.chain.inventory import Function, Inventory
from moneygrow.heuristics import probe as pr

TOKEN = to_checksum_address("0x" + "11" * 20)
OWNER = to_checksum_address("0x" + "22" * 20)
PAIR = to_checksum_address("0x" + "77" * 20)
SCRIPT = pr.Script(
    token=TOKEN, block_number=100, timestamp=1_700_000_000, funders=(PAIR,), amount=1000, pair=PAIR,
    watched=[pr.VICTIM, pr.BYSTANDER, PAIR, TOKEN],
)  # fmt: skip
OK_SELLS = {"victim.transfer": (True, 0.0), "victim.sell": (True, 0.0), "bystander.transfer": (True, 0.0),
            "bystander.sell": (True, 0.0)}  # fmt: skip
BALANCES = {pr.VICTIM: 1000, pr.BYSTANDER: 1000, PAIR: 10**6, TOKEN: 0, OWNER: 5000}
BASELINE = pr.Run(True, dict(BALANCES), dict(BALANCES), (10**9, 10**9), dict(OK_SELLS))


def probe(arguments: tuple[str, ...], args: tuple[object, ...], selector: str = "0x12345678") -> pr.Probe:
    fn = Function(selector, arguments, "nonpayable")
    return pr.Probe(fn, pr.Actor(OWNER, "owner()"), "big", args, b"")


def run(after: dict[str, int] | None = None, supply: int = 10**9, sells: dict | None = None) -> pr.Run:  # type: ignore[type-arg]
    return pr.Run(
        True, dict(BALANCES), {**BALANCES, **(after or {})}, (10**9, supply), {**OK_SELLS, **(sells or {})}
    )


def kinds(p: pr.Probe, r: pr.Run) -> list[str]:
    return pr.classify(p, pr.effect(SCRIPT, p, r, BASELINE))


def test_supply_up_is_a_mint() -> None:
    p = probe(("uint256",), (10**24,))
    assert kinds(p, run({OWNER: 5000 + 10**24}, supply=10**9 + 10**24)) == ["mint"]


def test_a_balance_raised_without_supply_and_without_a_debit_is_a_mint() -> None:
    assert kinds(probe(("address", "uint256"), (pr.VICTIM, 10**24)), run({pr.VICTIM: 10**24})) == ["mint"]


def test_the_callers_own_payment_is_not_a_mint() -> None:
    # an airdrop from the caller's balance: others gain what the caller paid
    p = probe(("address[]", "uint256"), ([pr.VICTIM, PAIR], 100))
    assert kinds(p, run({OWNER: 4800, pr.VICTIM: 1100, PAIR: 10**6 + 100})) == []


def test_a_holder_losing_tokens_is_a_leak_and_its_failing_sell_is_not_another_power() -> None:
    p = probe(("address[]",), ([pr.VICTIM],))
    r = run(
        {pr.VICTIM: 0, OWNER: 6000}, sells={"victim.transfer": (False, None), "victim.sell": (False, None)}
    )
    assert kinds(p, r) == ["leak"]


def test_a_targeted_block_is_a_blacklist() -> None:
    p = probe(("address", "bool"), (pr.VICTIM, True))
    assert kinds(p, run(sells={"victim.sell": (False, None), "victim.transfer": (False, None)})) == [
        "blacklist"
    ]


def test_everyone_blocked_by_a_switch_is_a_pause_and_by_a_number_a_limit() -> None:
    blocked = {"victim.sell": (False, None), "bystander.sell": (False, None)}
    assert kinds(probe(("bool",), (True,)), run(sells=blocked)) == ["pause"]
    assert kinds(probe(("uint256",), (0,)), run(sells=blocked)) == ["limit"]


def test_a_sell_that_loses_more_is_a_fee_and_a_small_change_is_noise() -> None:
    taxed = {"victim.sell": (True, 0.99), "bystander.sell": (True, 0.99)}
    assert kinds(probe(("uint16",), (10_000,)), run(sells=taxed)) == ["fee"]
    assert kinds(probe(("uint16",), (99,)), run(sells={"victim.sell": (True, 0.01)})) == []


def test_a_conventional_name_labels_a_confirmed_lever() -> None:
    set_fees = "0x0b78f9c0"  # setFees(uint256,uint256): reverting sells are its fee, not a "limit"
    p = probe(("uint256", "uint256"), (10**24, 10**24), selector=set_fees)
    assert kinds(p, run(sells={"victim.sell": (False, None), "bystander.sell": (False, None)})) == ["fee"]


def test_a_reverted_probe_shows_nothing() -> None:
    r = pr.Run(False, dict(BALANCES), dict(BALANCES), None, dict(OK_SELLS), error="execution reverted")
    assert kinds(probe(("uint256",), (1,)), r) == []


def test_no_sell_is_compared_when_the_baseline_could_not_sell() -> None:
    baseline = pr.Run(True, dict(BALANCES), dict(BALANCES), (1, 1), {k: (False, None) for k in OK_SELLS})
    p = probe(("bool",), (True,))
    eff = pr.effect(SCRIPT, p, run(sells={"victim.sell": (False, None)}), baseline)
    assert eff.blocked == {}


def test_arguments_are_synthesised_per_type_and_deduplicated() -> None:
    variants = pr.arguments(Function("0x12345678", ("address", "bool"), "nonpayable"), SCRIPT)
    assert [v for v, _, _ in variants] == ["big", "zero"]  # percent/bps repeat "big" for these types
    assert variants[0][1] == (pr.VICTIM, True) and variants[1][1] == (pr.VICTIM, False)
    (uint8,) = {a[1][0] for a in pr.arguments(Function("0x12345678", ("uint8",), "nonpayable"), SCRIPT)} - {
        0,
        99,
    }
    assert uint8 == 255  # clipped to the type
    assert pr.arguments(Function("0x12345678", ("(uint256,address)",), "nonpayable"), SCRIPT) == []


def test_a_contract_with_many_functions_is_probed_within_the_limit_and_the_rest_named() -> None:
    fns = {f"0x{i:08x}": Function(f"0x{i:08x}", ("uint256",), "nonpayable", writes=frozenset({"0x1"}))
           for i in range(1, 201)}  # fmt: skip
    from moneygrow.chain.inventory import Variable

    balance = Variable(1, 0, "mapping(address => uint256)", frozenset({"0x70a08231"}), frozenset(fns))
    inv = Inventory({**fns, "0x70a08231": Function("0x70a08231", ("address",), "view", frozenset({"0x1"}))},
                    [balance])  # fmt: skip
    probes, skipped = pr.plan(inv, [pr.Actor(OWNER, "owner()")], SCRIPT)
    assert len(probes) == pr.MAX_PROBES
    assert skipped and "not run" in skipped[-1]


def test_a_simulation_response_is_parsed_per_block() -> None:
    word = lambda v: "0x" + v.to_bytes(32, "big").hex()  # noqa: E731
    reads = [{"status": "0x1", "returnData": word(b), "gasUsed": "0x1"} for b in (1000, 1000, 10**6, 0)]
    supply = {"status": "0x1", "returnData": word(10**9), "gasUsed": "0x1"}
    fund = [{"status": "0x1", "returnData": word(1), "gasUsed": "0x1"}] * 2
    call = {"status": "0x0", "returnData": "0x", "gasUsed": "0x1", "error": {"message": "execution reverted"}}
    sells = []
    for _ in range(4):
        sells += [{"status": "0x1", "returnData": word(0), "gasUsed": "0x1"},
                  {"status": "0x1", "returnData": word(1), "gasUsed": "0x1"},
                  {"status": "0x1", "returnData": word(100), "gasUsed": "0x1"}]  # fmt: skip
    blocks = [{"calls": fund + reads + [supply]}, {"calls": [call, *reads, supply]}, {"calls": sells}]
    p = probe(("uint256",), (1,))
    script = pr.Script(TOKEN, 100, 0, (PAIR,), 1000, PAIR, [pr.VICTIM, pr.BYSTANDER, PAIR, TOKEN])
    # the actor is watched too: its balance read comes last
    blocks[0]["calls"].insert(len(fund) + 4, {"status": "0x1", "returnData": word(5), "gasUsed": "0x1"})
    blocks[1]["calls"].insert(1 + 4, {"status": "0x1", "returnData": word(5), "gasUsed": "0x1"})
    parsed = pr.parse(script, p, {"result": blocks})
    assert parsed is not None and parsed.ok is False and parsed.error == "execution reverted"
    assert parsed.before[pr.VICTIM] == 1000 and parsed.supply == (10**9, 10**9)
    assert parsed.sells["victim.sell"] == (True, 0.0)  # 100 sent, 100 arrived
    assert pr.parse(script, p, {"error": {"code": -32601}}) is None


def test_a_hidden_actor_is_also_probed_after_a_takeover_call() -> None:
    from moneygrow.chain.inventory import inventory

    inv = inventory(bytes.fromhex(_artifact("HiddenOwner")))  # SafeMoon-style lock()/unlock()
    (takeover,) = pr.takeovers(inv)
    assert takeover.label == "unlock()"
    hidden = pr.Actor(OWNER, "storage slot 0x6 (compared with the caller)")
    probes, _ = pr.plan(inv, [hidden], SCRIPT, hidden=[hidden])
    assert {p.prelude for p in probes} == {(), (takeover,)}
    plain, _ = pr.plan(inv, [hidden], SCRIPT)
    assert all(not p.prelude for p in plain)
    candidates = [p for p in probes if p.fn.selector != pr.TRANSFER_FROM]
    assert len([p for p in plain if p.fn.selector != pr.TRANSFER_FROM]) == len(candidates) // 2


def test_the_standard_transfer_from_is_tried_without_an_allowance() -> None:
    from moneygrow.chain.inventory import inventory

    inv = inventory(bytes.fromhex(_artifact("PlainToken")))
    probes, _ = pr.plan(inv, [pr.Actor(OWNER, "owner()")], SCRIPT)
    (spend,) = probes
    assert spend.fn.selector == pr.TRANSFER_FROM and spend.args == (pr.VICTIM, OWNER, SCRIPT.send)
    # the victim losing tokens to it is a leak through a conventional selector: not conventional
    eff = pr.effect(SCRIPT, spend, run({pr.VICTIM: 900, OWNER: 5100}), BASELINE)
    assert pr.classify(spend, eff) == ["leak"]


def _artifact(name: str) -> str:
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "contracts" / "artifacts" / f"{name}.json"
    return str(json.loads(path.read_text())["deployedBytecode"])[2:]
