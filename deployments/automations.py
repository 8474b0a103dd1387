"""Server-side automations: the late-run policy, zombie detection and the ops backstop.

    python -m deployments.automations                    # create or replace, idempotently
    python -m deployments.automations --late-grace 3600  # seconds a Late run may wait

Needs a real Prefect server (``PREFECT_API_URL``); ephemeral servers do not run the services
these rely on. Every automation is named ``reportwatch: ...`` and tagged ``reportwatch``. A
second run leaves unchanged ones alone, replaces changed ones and deletes ours that are no
longer wanted (the ops notification once no Slack webhook is configured).

1. **Late runs** of deployments tagged ``skip-late`` (the ingestion and digest deployments) are
   cancelled once they have waited ``--late-grace`` seconds for a worker. Ingestion catches up
   from the harvest cursor, so a backlog of missed weekly runs would only repeat the same work;
   the grace keeps a run that waits behind a busy worker (a long backfill) from being dropped.
2. **Zombie runs**, whose process died without a final state (machine lost, OOM kill), stop
   sending heartbeats; after three missed heartbeats the run is marked Crashed.
3. **Ops backstop**: a Crashed run posts to the Slack webhook, when one is configured
   (``REPORTWATCH_SLACK_WEBHOOK_URL``, else the Secret block ``reportwatch-slack-webhook-url``,
   as for the slack channel; the URL is kept in the notification block's secrets). Failed
   runs are not repeated here: the flow's own ``on_failure`` hook (tasks/alerts/ops.py) reports them
   from the run's process; a crash is the case where that process may be gone.
"""

from __future__ import annotations

import argparse
import ipaddress
import sys
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from uuid import UUID

from deployments.plan import PROJECT_TAG, SKIP_LATE_TAG, require_prefect_api
from reportwatch.errors import ReportwatchError
from reportwatch.settings import Settings, load_settings

if TYPE_CHECKING:
    from prefect.client.orchestration import SyncPrefectClient
    from prefect.events.schemas.automations import AutomationCore

LATE_AUTOMATION = "reportwatch: cancel late skip-late runs"
ZOMBIE_AUTOMATION = "reportwatch: crash runs without heartbeats"
OPS_AUTOMATION = "reportwatch: tell ops about crashed runs"
OPS_WEBHOOK_BLOCK = "reportwatch-ops-webhook"
DEFAULT_LATE_GRACE = timedelta(hours=1)
# Prefect's default heartbeat is every 180 s; three missed ones mean the process is gone.
DEFAULT_HEARTBEAT_SECONDS = 180
FINAL_OR_ALIVE = {
    "prefect.flow-run.heartbeat",
    "prefect.flow-run.Completed",
    "prefect.flow-run.Failed",
    "prefect.flow-run.Cancelled",
    "prefect.flow-run.Crashed",
}


def _tag(tag: str) -> dict[str, str]:
    return {"prefect.resource.role": "tag", "prefect.resource.id": f"prefect.tag.{tag}"}


def late_runs_automation(grace: timedelta = DEFAULT_LATE_GRACE) -> AutomationCore:
    from prefect.events.actions import CancelFlowRun
    from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture

    # Proactive: fires when a run went Late and no worker picked it up (Pending) nor did it
    # end otherwise within the grace. A plain reactive trigger on Late would also cancel a
    # run that is only waiting a few minutes for a worker busy with a backfill.
    return AutomationCore(
        name=LATE_AUTOMATION,
        description=(
            f"Cancels a run tagged {SKIP_LATE_TAG} that has been Late for "
            f"{int(grace.total_seconds())} s; the next run catches up from the harvest cursor."
        ),
        tags=[PROJECT_TAG],
        trigger=EventTrigger(
            after={"prefect.flow-run.Late"},
            expect={
                "prefect.flow-run.Pending",
                "prefect.flow-run.Running",
                "prefect.flow-run.Cancelling",
                *FINAL_OR_ALIVE - {"prefect.flow-run.heartbeat"},
            },
            match={"prefect.resource.id": "prefect.flow-run.*"},
            match_related=_tag(SKIP_LATE_TAG),  # type: ignore[arg-type]
            for_each={"prefect.resource.id"},
            posture=Posture.Proactive,
            threshold=1,
            within=grace,
        ),
        actions=[CancelFlowRun()],
    )


def zombie_runs_automation(heartbeat_seconds: int = DEFAULT_HEARTBEAT_SECONDS) -> AutomationCore:
    from prefect.client.schemas.objects import StateType
    from prefect.events.actions import ChangeFlowRunState
    from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture

    return AutomationCore(
        name=ZOMBIE_AUTOMATION,
        description="Marks a reportwatch run Crashed after three missed heartbeats.",
        tags=[PROJECT_TAG],
        trigger=EventTrigger(
            after={"prefect.flow-run.heartbeat"},
            expect=set(FINAL_OR_ALIVE),
            match={"prefect.resource.id": "prefect.flow-run.*"},
            match_related=_tag(PROJECT_TAG),  # type: ignore[arg-type]
            for_each={"prefect.resource.id"},
            posture=Posture.Proactive,
            threshold=1,
            within=timedelta(seconds=3 * heartbeat_seconds),
        ),
        actions=[
            ChangeFlowRunState(
                state=StateType.CRASHED,
                message="No heartbeat for three intervals: the run's process or machine is gone.",
            )
        ],
    )


# Prefect's Jinja: `ui_url` is None when PREFECT_UI_URL is unset; then there is no link line.
OPS_BODY = (
    "{{ flow_run.state.message or 'no message' }}\n"
    "Parameters: {{ flow_run.parameters }}\n"
    "What to do: docs/runbook.md, 'A run crashed'."
    "{% set run_url = flow_run|ui_url %}{% if run_url %}\nThe run: {{ run_url }}{% endif %}"
)


def ops_notification_automation(block_document_id: UUID) -> AutomationCore:
    from prefect.events.actions import SendNotification
    from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture

    return AutomationCore(
        name=OPS_AUTOMATION,
        description="Posts a crashed reportwatch run to the ops Slack webhook.",
        tags=[PROJECT_TAG],
        trigger=EventTrigger(
            expect={"prefect.flow-run.Crashed"},
            match={"prefect.resource.id": "prefect.flow-run.*"},
            match_related=_tag(PROJECT_TAG),  # type: ignore[arg-type]
            posture=Posture.Reactive,
            threshold=1,
        ),
        actions=[
            SendNotification(
                block_document_id=block_document_id,
                subject="reportwatch run {{ flow_run.name }} ({{ flow.name }}) crashed",
                body=OPS_BODY,
            )
        ],
    )


def _is_private(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_private
    except ValueError:
        return False


def save_ops_webhook_block(webhook_url: str) -> UUID:
    """Store the Slack webhook as a Prefect block; the URL stays in the block's secrets."""
    from prefect.blocks.notifications import CustomWebhookNotificationBlock
    from prefect.types import SecretDict

    block = CustomWebhookNotificationBlock(
        name=OPS_WEBHOOK_BLOCK,
        url="{{ webhook_url }}",  # resolved from `secrets` when sending; hidden in the UI
        json_data={"text": "*{{subject}}*\n{{body}}"},
        secrets=SecretDict({"webhook_url": webhook_url}),
        # SSRF guard on for public webhooks; a loopback test receiver needs it off.
        allow_private_urls=_is_private(webhook_url),
    )
    return block.save(OPS_WEBHOOK_BLOCK, overwrite=True)  # type: ignore[return-value]


def wanted_automations(
    settings: Settings,
    *,
    late_grace: timedelta = DEFAULT_LATE_GRACE,
    heartbeat_seconds: int = DEFAULT_HEARTBEAT_SECONDS,
) -> list[AutomationCore]:
    from tasks.alerts.secrets import SLACK_WEBHOOK_BLOCK, read_secret_block

    automations = [late_runs_automation(late_grace), zombie_runs_automation(heartbeat_seconds)]
    # the same webhook the slack channel uses: the environment, else the Secret block
    webhook = settings.slack_webhook_url or read_secret_block(SLACK_WEBHOOK_BLOCK)
    if webhook is not None:
        block_id = save_ops_webhook_block(webhook.get_secret_value())
        automations.append(ops_notification_automation(block_id))
    return automations


def _comparable(automation: AutomationCore) -> Any:
    """The automation as plain data, sets in a stable order, server-assigned ids left out."""
    from prefect.events.schemas.automations import AutomationCore

    def normalize(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: normalize(v) for k, v in value.items() if k != "id"}
        if isinstance(value, list):
            items = [normalize(v) for v in value]
            return sorted(items) if all(isinstance(v, str) for v in items) else items
        return value

    return normalize(automation.model_dump(mode="json", include=set(AutomationCore.model_fields)))


def apply_automations(client: SyncPrefectClient, wanted: list[AutomationCore]) -> dict[str, str]:
    """Create each wanted automation, replace a changed one, delete our stale ones.

    Returns what happened to each name: created, replaced, unchanged or deleted. A changed
    automation is deleted and created again rather than updated: in Prefect 3.9 the client's
    update sends only fields set explicitly, so ``CancelFlowRun()`` arrives without its type
    and the server stores a do-nothing action.
    """
    outcome: dict[str, str] = {}
    wanted_names = {a.name for a in wanted}
    for automation in wanted:
        existing = client.read_automations_by_name(automation.name)
        keep = next((e for e in existing if _comparable(e) == _comparable(automation)), None)
        for other in existing:
            if other is not keep:  # changed, or a duplicate left by an interrupted run
                client.delete_automation(other.id)
        if keep is not None:
            outcome[automation.name] = "unchanged"
        else:
            client.create_automation(automation)
            outcome[automation.name] = "replaced" if existing else "created"
    for automation in client.read_automations():
        if PROJECT_TAG in automation.tags and automation.name not in wanted_names:
            client.delete_automation(automation.id)
            outcome[automation.name] = "deleted"
    return outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m deployments.automations", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--late-grace",
        type=float,
        default=DEFAULT_LATE_GRACE.total_seconds(),
        help="seconds a Late skip-late run may wait for a worker before it is cancelled (>= 10)",
    )
    parser.add_argument(
        "--heartbeat-seconds",
        type=int,
        default=DEFAULT_HEARTBEAT_SECONDS,
        help="PREFECT_FLOWS_HEARTBEAT_FREQUENCY of the workers (zombie after three missed)",
    )
    args = parser.parse_args(argv)
    if args.late_grace < 10:
        parser.error("--late-grace must be at least 10 seconds (Prefect's minimum)")

    import httpx
    from prefect import get_client
    from prefect.exceptions import PrefectHTTPStatusError

    try:
        require_prefect_api()
        wanted = wanted_automations(
            load_settings(),
            late_grace=timedelta(seconds=args.late_grace),
            heartbeat_seconds=args.heartbeat_seconds,
        )
        with get_client(sync_client=True) as client:
            outcome = apply_automations(client, wanted)
    except ReportwatchError as exc:
        print(f"error: {exc.one_line()}", file=sys.stderr)
        return 1
    except PrefectHTTPStatusError as exc:
        print(f"error: the Prefect server refused: {exc}", file=sys.stderr)
        return 1
    except httpx.HTTPError as exc:
        print(
            f"error: cannot reach the Prefect API ({exc}); is PREFECT_API_URL right?",
            file=sys.stderr,
        )
        return 1
    for name, what in outcome.items():
        print(f"{what}: {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
