from django.utils.translation import gettext_lazy as _

LABELS = {
    "case.referred": _("Referral recorded"),
    "case.updated": _("Case details changed"),
    "case.accepted": _("Referral accepted and allocated"),
    "case.allocated": _("Case reallocated"),
    "case.declined": _("Referral declined"),
    "case.support_started": _("Support started"),
    "case.moving_on": _("Move-on planning started"),
    "case.support_resumed": _("Returned to support"),
    "case.missing": _("Reported missing"),
    "case.missing_notified": _("Police / local authority notified of missing person"),
    "case.found": _("Found: back in support"),
    "case.closed": _("Case closed"),
    "case.reopened": _("Re-opened as a new episode"),
    "case.reopened_from": _("New episode of an earlier case"),
    "batch.created": _("Police operation recorded"),
    "case.imported": _("Imported from an earlier record system"),
    "cases.imported": _("Cases imported from a spreadsheet"),
    "nrm.submitted": _("NRM referral submitted"),
    "nrm.local_authority_notified": _("Local authority notified (child NRM referral)"),
    "nrm.rg_positive": _("Positive reasonable grounds decision"),
    "nrm.rg_negative": _("Negative reasonable grounds decision"),
    "nrm.cg_positive": _("Positive conclusive grounds decision"),
    "nrm.cg_negative": _("Negative conclusive grounds decision"),
    "nrm.reconsideration_requested": _("Reconsideration requested"),
    "nrm.duty_to_notify": _("Duty to Notify report sent (no NRM consent)"),
    "nrm.withdrawn": _("Withdrawn from the NRM"),
    "nrm.recovery_extended": _("Recovery period extended"),
    "nrm.recovery_curtailed": _("Recovery period curtailed"),
    "consent.recorded": _("Consent recorded"),
    "consent.withdrawn": _("Consent withdrawn"),
    "disclosure.recorded": _("Information shared with another agency"),
    "charge.recorded": _("Charge recorded"),
    "dependant.recorded": _("Dependant added"),
    "goal.recorded": _("Support plan goal added"),
    "goal.updated": _("Support plan goal updated"),
    "note.recorded": _("Case note added"),
    "needs.updated": _("Immediate needs updated"),
}

LABELS.update(
    {
        "appointment.requested": _("Appointment requested"),
        "appointment.booked": _("Appointment booked"),
        "appointment.rescheduled": _("Appointment moved"),
        "appointment.attended": _("Appointment attended"),
        "appointment.did_not_attend": _("Appointment not attended"),
        "appointment.cancelled": _("Appointment cancelled"),
        "interpreter.requested": _("Interpreter requested"),
        "interpreter.independence_checked": _("Interpreter independence checked"),
        "interpreter.confirmed": _("Interpreter confirmed"),
        "interpreter.completed": _("Interpreter attended"),
        "interpreter.no_show": _("Interpreter did not come"),
        "interpreter.cancelled": _("Interpreter cancelled"),
        "contact.added": _("Phone number added"),
        "contact.updated": _("Safe-contact rules changed"),
        "contact.suspended": _("All contact suspended"),
        "contact.resumed": _("Contact resumed"),
        "staff.reminder_planned": _("Staff reminder planned"),
        "reminder.resolved": _("Text checked by staff: outcome recorded"),
    }
)

LABELS.update(
    {
        "placement.requested": _("Accommodation requested"),
        "placement.offered": _("Bed space offered"),
        "placement.accepted": _("Offer accepted"),
        "placement.declined": _("Placement declined"),
        "placement.withdrawn": _("Placement request withdrawn"),
        "placement.offer_expired": _("Offer expired"),
        "placement.moved_in": _("Moved in"),
        "placement.moved_out": _("Moved out"),
    }
)

LABELS.update(
    {
        "risk.assessed": _("Risk assessment recorded"),
        "incident.recorded": _("New incident recorded"),
    }
)

LABELS.update(
    {
        "marac.referred": _("Referred to a MARAC"),
        "marac.listed": _("Listed on a MARAC agenda"),
        "marac.unlisted": _("Taken off a MARAC agenda"),
        "marac.agenda_published": _("MARAC agenda sent to the partner agencies"),
        "marac.heard": _("Heard at the MARAC"),
        "marac.deferred": _("MARAC referral deferred"),
        "marac.action_set": _("MARAC action set"),
        "marac.action_resolved": _("MARAC action resolved"),
        "marac.closed": _("MARAC referral closed"),
        "marac.transferred": _("Transferred to another MARAC"),
        "marac.withheld": _("MARAC: agencies the case is not shared with changed"),
    }
)

LABELS.update(
    {
        "legal.opened": _("Legal matter opened"),
        "legal.updated": _("Legal matter details changed"),
        "legal.step_added": _("Legal step recorded"),
        "legal.step_done": _("Legal step done"),
        "legal.cica.apply": _("Compensation: application made"),
        "legal.cica.decide": _("Compensation: decision received"),
        "legal.cica.request_review": _("Compensation: review requested"),
        "legal.cica.record_review": _("Compensation: review decision received"),
        "legal.cica.appeal": _("Compensation: appeal to the tribunal"),
        "legal.cica.record_tribunal": _("Compensation: tribunal decision received"),
        "legal.cica.close": _("Compensation claim closed"),
        "legal.cica.withdraw": _("Compensation claim withdrawn"),
        "legal.immigration.apply": _("Immigration: application made"),
        "legal.immigration.grant": _("Immigration: leave granted"),
        "legal.immigration.refuse": _("Immigration: refused"),
        "legal.immigration.appeal": _("Immigration: appeal lodged"),
        "legal.immigration.dismiss_appeal": _("Immigration: appeal dismissed"),
        "legal.immigration.withdraw": _("Immigration: application withdrawn"),
        "legal.immigration.apply_to_extend": _("Immigration: application to extend leave"),
        "legal.immigration.close": _("Immigration matter closed"),
        "legal.criminal_justice.investigate": _("Criminal justice: investigation started"),
        "legal.criminal_justice.charge": _("Criminal justice: charge"),
        "legal.criminal_justice.go_to_court": _("Criminal justice: at court"),
        "legal.criminal_justice.conclude": _("Criminal justice: outcome"),
        "legal.criminal_justice.no_further_action": _("Criminal justice: no further action"),
        "legal.civil.close": _("Civil matter closed"),
    }
)

LABELS.update(
    {
        "return.started": _("Voluntary return: exploring"),
        "return.updated": _("Voluntary return: details changed"),
        "return.apply": _("Voluntary return: applied"),
        "return.find_eligible": _("Voluntary return: eligible"),
        "return.find_ineligible": _("Voluntary return: not eligible"),
        "return.documents_ready": _("Voluntary return: travel documents ready"),
        "return.book_travel": _("Voluntary return: travel booked"),
        "return.depart": _("Voluntary return: departed"),
        "return.arrive": _("Voluntary return: arrived"),
        "return.reintegrate": _("Voluntary return: reintegration support"),
        "return.follow_up": _("Voluntary return: follow-up contact recorded"),
        "return.complete": _("Voluntary return completed"),
        "return.withdraw": _("Voluntary return withdrawn"),
        "resettlement.started": _("Resettlement: leave applied for"),
        "resettlement.grant_leave": _("Resettlement: leave granted"),
        "resettlement.secure_housing": _("Resettlement: housing secured"),
        "resettlement.secure_income": _("Resettlement: income, work or study in place"),
        "resettlement.settle": _("Resettlement: settled"),
        "resettlement.withdraw": _("Resettlement withdrawn"),
    }
)
