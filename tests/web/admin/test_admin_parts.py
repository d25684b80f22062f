"""Sign-in cookies, the throttle and the SVG charts, without a server."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from tactful.adapters.memory.counters import MemoryWindowCounters
from tactful.settings import Settings
from tactful.web.admin import charts
from tactful.web.admin.auth import AdminAuth, LoginThrottle, tokens_match
from tactful.web.admin.views import compact, csv_text, money, share, signed

SETTINGS = Settings.from_env(
    {}, secret_key="sk_test_secret_key_0123456789", admin_password="a long admin password"
)


def test_a_session_expires_and_cannot_be_altered() -> None:
    now = [1_000_000.0]
    auth = AdminAuth(SETTINGS, now=lambda: now[0])
    cookie, session = auth.issue()
    assert auth.read(cookie) == session
    expires, csrf, signature = cookie.split(".")
    assert auth.read(f"{int(expires) + 999}.{csrf}.{signature}") is None
    assert auth.read(f"{expires}.other.{signature}") is None
    now[0] += 8 * 3600 + 1
    assert auth.read(cookie) is None


def test_changing_the_password_signs_everybody_out() -> None:
    cookie, _ = AdminAuth(SETTINGS).issue()
    changed = SETTINGS.model_copy(update={"admin_password": "another long password"})
    assert AdminAuth(changed).read(cookie) is None
    assert AdminAuth(changed).password_ok("sk_test_secret_key_0123456789")
    assert not AdminAuth(changed).password_ok("a long admin password")


def test_the_throttle_forgets_after_its_window() -> None:
    clock = [1_800_000_000.0]  # the start of a 15-minute window
    throttle = LoginThrottle(MemoryWindowCounters(lambda: clock[0]), limit=5, window=900)
    for _ in range(5):
        assert throttle.retry_after("1.2.3.4") == 0
        throttle.failed("1.2.3.4")
    assert 0 < throttle.retry_after("1.2.3.4") <= 901
    assert throttle.retry_after("5.6.7.8") == 0
    throttle.succeeded("5.6.7.8")
    assert throttle.retry_after("1.2.3.4") > 0
    clock[0] += 900
    assert throttle.retry_after("1.2.3.4") == 0


def test_tokens_must_both_be_present_and_equal() -> None:
    assert tokens_match("abc", "abc")
    assert not tokens_match("abc", "abd")
    assert not tokens_match(None, None)


def test_charts_are_valid_svg_with_a_title() -> None:
    drawn = [
        charts.line_with_band(
            [charts.Band(str(i), i * 10.0, i * 5.0 - 20, i * 15.0 + 5) for i in range(30)],
            title="band",
            chart_id="b",
            fmt=str,
        ),
        charts.bars([("a <b>", 3.0), ("c", 1.0)], title="bars", chart_id="r", fmt=str),
        charts.funnel([("shown", 100), ("accepted", 20)], title="funnel", chart_id="f"),
        charts.heatmap(["2026-01"], ["M0", "M1"], [[1.0, None]], title="heat", chart_id="h"),
        charts.histogram([(0, 1, 5), (1, 2, 0)], title="hist", chart_id="g", fmt=str),
    ]
    for svg in drawn:
        root = ET.fromstring(svg)
        assert root.get("role") == "img"
        assert root.find("{http://www.w3.org/2000/svg}title") is not None
    assert charts.bars([], title="x", chart_id="x", fmt=str) == ""


def test_a_funnel_s_lost_last_step_is_a_share_of_the_step_before() -> None:
    steps = [("Shown", 200), ("Paid", 40), ("Refunded", 10)]
    drawn = charts.funnel(steps, title="funnel", chart_id="f", last_lost=True)
    assert "40 (20.0%)</text>" in drawn
    assert "10 (25.0% of paid)</text>" in drawn
    assert "10 (5.0%)</text>" in charts.funnel(steps, title="funnel", chart_id="f")


def test_every_negative_figure_has_the_minus_sign_but_not_in_csv() -> None:
    assert share(-0.017) == "\u22121.7%"
    assert share(0.017) == "1.7%"
    assert money(-1250, "GBP") == "\u2212£12.50"
    assert signed(-0.5, "+.1%") == "\u221250.0%"
    assert signed(0.5, "+.1%") == "+50.0%"
    assert signed(-1234.5, ",.2f") == "\u22121,234.50"
    table = (["metric", "lift"], [["refund rate", share(-0.02)], ["value", money(-500, "GBP")]])
    assert csv_text(table) == "metric,lift\r\nrefund rate,-2.0%\r\nvalue,-£5.00\r\n"


def test_axis_money_is_compact() -> None:
    assert compact(40_000_000, "GBP") == "£400k"
    assert compact(-250_000, "GBP") == "−£2.5k"
    assert compact(0, "GBP") == "£0"


def test_a_twin_chart_is_drawn_for_wide_and_for_narrow_figures() -> None:
    label = "Gooseneck kettle · post purchase cross-sell, 2 pack"  # 50 characters
    drawn = charts.twin(charts.bars, rows=[(label, 3.0)], title="t", chart_id="r", fmt=str)
    wide, narrow = (ET.fromstring(f"{svg}</svg>") for svg in drawn.split("</svg>")[:2])
    assert wide.get("class") == "chart chart-wide"
    assert narrow.get("class") == "chart chart-narrow"
    assert narrow.get("viewBox", "").split()[2] == str(charts.NARROW)
    assert wide.get("aria-labelledby") == "r-title"
    assert narrow.get("aria-labelledby") == "r-narrow-title"  # ids stay unique on the page
    texts = ["".join(t.itertext()) for t in narrow.iter("{http://www.w3.org/2000/svg}text")]
    assert label in texts  # its own line: not cut short


def test_intervals_put_each_dot_inside_its_line_and_zero_between() -> None:
    rows = [("new (40)", 120.0, -80.0, 300.0), ("returning (9)", -50.0, -400.0, 90.0)]
    svg = ET.fromstring(charts.intervals(rows, title="lift", chart_id="s", fmt=str))
    ns = "{http://www.w3.org/2000/svg}"
    zero, *lines = svg.iter(f"{ns}line")
    dots = list(svg.iter(f"{ns}circle"))
    assert len(lines) == len(dots) == 2
    for line, dot in zip(lines, dots, strict=True):
        ends = sorted(float(line.get(end, "")) for end in ("x1", "x2"))
        assert ends[0] < float(dot.get("cx", "")) < ends[1]
        assert ends[0] < float(zero.get("x1", "")) < ends[1]  # both intervals cross zero
    assert float(dots[1].get("cx", "")) < float(zero.get("x1", "")) < float(dots[0].get("cx", ""))
