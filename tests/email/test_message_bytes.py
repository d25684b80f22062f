"""The wire form `to_bytes` writes by hand reads back as the same mail `build_message` makes."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage

from hypothesis import given, settings
from hypothesis import strategies as st

from tactful.adapters.email.message import build_message, to_bytes
from tactful.services.ports.email import OutgoingMail

HEADERS = ("To", "Message-ID", "List-Unsubscribe", "List-Unsubscribe-Post")
line_text = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\x85"),
    min_size=1,
    max_size=120,
).filter(lambda s: s.strip() == s and s.strip())
merchant = st.text(
    st.characters(whitelist_categories=("L", "N"), whitelist_characters=" -", max_codepoint=0x2FFF),
    min_size=1,
    max_size=30,
).filter(lambda s: s.strip() == s and s.strip())
body = st.text(
    st.characters(
        blacklist_categories=("Cs",), blacklist_characters="\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
    ),
    max_size=600,
)


def parsed(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n").split("\n")


@settings(max_examples=150, deadline=None)
@given(
    name=merchant, subject=line_text, text=body, html=body, path=st.text("abc-_/?=&", max_size=90)
)
def test_the_hand_written_wire_form_reads_back_as_the_same_mail(
    name: str, subject: str, text: str, html: str, path: str
) -> None:
    mail = OutgoingMail(
        42,
        "ann@example.com",
        f"{name} <shop@example.com>",
        subject,
        html,
        text,
        {
            "Message-ID": "<tactful-42@example.com>",
            "List-Unsubscribe": f"<https://shop.example.com/u/42{path}>, "
            "<mailto:unsubscribe@example.com?subject=unsubscribe-42>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    raw = to_bytes(mail)
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    assert b"\n" not in raw.replace(b"\r\n", b"")
    ours, reference = parsed(raw), parsed(build_message(mail).as_bytes())
    (sender,) = ours["From"].addresses  # the reference folds long encoded names wrongly
    assert (sender.display_name, sender.addr_spec) == (name, "shop@example.com")
    assert str(ours["Subject"]) == subject == str(reference["Subject"])
    for header in HEADERS:
        assert str(ours[header]).strip() == str(reference[header]).strip(), header
    assert ours.get_content_type() == "multipart/alternative"
    for kind in ("plain", "html"):
        mine, theirs = ours.get_body((kind,)), reference.get_body((kind,))
        assert mine is not None
        assert theirs is not None
        assert lines(mine.get_content()) == lines(theirs.get_content())
