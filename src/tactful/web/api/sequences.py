"""Email sequences over the API: store versions, list the live ones, view the outbox."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Query, Request, status
from starlette.concurrency import run_in_threadpool

from tactful.domain.sequences import SequenceFileError
from tactful.domain.sequences.arf import ArfError
from tactful.services.sequences import parse_one
from tactful.web.deps import SecretKey, StateDep

router = APIRouter(tags=["email"])


@router.post("/v1/sequences", status_code=status.HTTP_201_CREATED)
def store_sequences(
    state: StateDep,
    _key: SecretKey,
    document: Annotated[dict[str, Any], Body(examples=[{"sequences": [{"id": "welcome"}]}])],
) -> dict[str, Any]:
    """Check and store sequences (same shape as the YAML file); each change is a new version.

    Enrolments keep the version they started on, so mails already scheduled do not change.
    """
    try:
        saved = state.sequences.load_document(document, "request body", state.clock.now())
    except SequenceFileError as exc:
        raise HTTPException(
            422,
            {"message": exc.problem, "field": exc.field, "error": str(exc)},
        ) from exc
    return {
        "sequences": [
            {"id": s.sequence_id, "version": s.version, "created": s.created} for s in saved
        ]
    }


@router.get("/v1/sequences")
def live_sequences(state: StateDep, _key: SecretKey) -> dict[str, Any]:
    """The live version of each sequence."""
    stored = state.email.store.active_sequences()
    return {
        "sequences": [
            {
                "id": s.sequence_id,
                "version": s.version,
                "created_at": s.created_at.isoformat(),
                "trigger": parse_one(s.definition).trigger.type.value,
                "definition": s.definition,
            }
            for s in stored
        ]
    }


@router.get("/v1/email/outbox")
def outbox(
    state: StateDep, _key: SecretKey, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> dict[str, Any]:
    """The outbox, newest due first: what was sent, what waits, what was skipped and why."""
    return {
        "mails": [
            {
                "mail_id": e.mail_id,
                "sequence_id": e.sequence_id,
                "step": e.step,
                "customer_id": e.customer_id,
                "due_at": e.due_at.isoformat(),
                "state": e.state,
                "sent_at": e.sent_at.isoformat() if e.sent_at else None,
                "recipient": e.recipient,
                "subject": e.subject,
                "error": e.error,
            }
            for e in state.email.store.outbox(limit)
        ]
    }


MAX_REPORT_BYTES = 5_000_000


ARF_BODY = {
    "requestBody": {
        "required": True,
        "description": "The feedback-loop report as received: a raw RFC 5965 message.",
        "content": {"message/rfc822": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@router.post("/v1/email/complaints", openapi_extra=ARF_BODY)
async def complaint(state: StateDep, _key: SecretKey, request: Request) -> dict[str, Any]:
    """One feedback-loop report (ARF, RFC 5965) as the raw message (`message/rfc822`): a
    complaint suppresses the address and ends every sequence of the customer. Idempotent."""
    raw = await request.body()
    if not raw or len(raw) > MAX_REPORT_BYTES:
        raise HTTPException(
            422, {"message": "send one ARF message of at most 5 MB", "field": "body"}
        )
    try:
        read = await run_in_threadpool(state.email_feedback.complaint, raw)
    except ArfError as exc:
        raise HTTPException(422, {"message": str(exc), "field": exc.field}) from exc
    outcome = read.outcome
    return {
        "feedback_type": read.report.feedback_type,
        "complaint": outcome is not None,
        "mail_id": read.report.mail_id,
        "address": outcome.address if outcome else read.report.address,
        "customer_id": outcome.customer_id if outcome else None,
        "new": outcome.new if outcome else False,
        "sequences_ended": outcome.ended if outcome else 0,
    }
