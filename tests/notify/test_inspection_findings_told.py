"""An inspection's findings reach the inspected site's lead, with each deadline; a site that passed
gets no message. (A closed finding tells nobody: services/notify/domain/silent.py says why.)"""

from __future__ import annotations

import datetime as dt
import uuid

from shared.contracts.enrollment import FindingDue, InspectionRecorded
from testkit.scenarios import envelope
from tests.notify.test_told_besides_guardians import a_phone, a_site_with_its_lead, notify, sent_to
from tests.support.inprocess import InProcess

__all__ = ["notify"]  # the module's service, shared with the staff-contact scenarios


async def test_an_inspections_findings_reach_the_sites_lead_with_their_deadlines(notify: InProcess) -> None:
    phone = a_phone()
    site = await a_site_with_its_lead(notify, phone)
    findings = (
        FindingDue(finding_id=uuid.uuid4(), area="catering_hygiene", item="留样记录不全", fix_by=dt.date(2027, 7, 9)),
        FindingDue(finding_id=uuid.uuid4(), area="safety", item="灭火器过期", fix_by=dt.date(2027, 7, 12)),
    )
    inspected = InspectionRecorded(
        inspection_id=uuid.uuid4(),
        site_id=site.site_id,
        inspected_on=dt.date(2027, 7, 5),
        union_path=site.union_path,
        findings=findings,
    )
    told = envelope(inspected)
    await notify.deliver(told)
    await notify.deliver(told)  # delivered twice: told once
    (lead,) = await sent_to(notify, phone)
    assert lead["source_type"] == "inspection.recorded" and lead["recipient"] == "staff" and not lead["safety"]
    assert lead["body"] == (
        "工会于 07月05日 检查托管点，发现 2 项需整改：餐饮卫生：留样记录不全（07月09日前）；安全：灭火器过期（07月12日前）。"
        "整改完成后请告知工会销项。"
    )

    passed = inspected.model_copy(update={"inspection_id": uuid.uuid4(), "findings": ()})
    await notify.deliver(envelope(passed))
    assert len(await sent_to(notify, phone)) == 1, "a site with nothing to fix is not told"
