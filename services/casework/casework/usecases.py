"""Every casework use case: its command model, its handler, who may call it (roles × scope) and
whether it only reads. From this table come the RPC entrypoints (``casework.service``), the
application's policy, ``shequ call casework [METHOD] --help`` and the README's method table.

District staff act district-wide; community staff within their own community; service-team
members on the cases assigned to them (as owner or co-handler) and on intake in their own
community; residents on their own household's cases; auditors read only; the system (other
services, the deadline timer) everywhere.
"""

from __future__ import annotations

from shequ.auth import COMMUNITY, DISTRICT, READ, TEAM
from shequ.readlog import READS_ROLES, PersonalDataReadsQuery, personal_data_reads
from shequ.usecases import UseCase, UseCases

from casework import cases as c
from casework import deadlines, petitions, public, queries
from casework import decisions as d
from casework import mediation as m

HANDLER = TEAM  # a case's handlers: team members on the cases assigned to them
INTAKE = {**HANDLER, "resident": "household"}
RESIDENT = {**COMMUNITY, "resident": "household"}
PUBLIC = {**DISTRICT, "auditor": "all"}
"""Reads of what anyone may see (no personal data in them): the gateway's Open311 front asks
as a read-only, district-wide auditor actor of its own (``person_id`` ``open311``), never as staff."""

USE_CASES = UseCases(
    "casework",
    # intake and routing
    UseCase(c.OpenCase, c.open_case, INTAKE),
    UseCase(c.AcceptCase, c.accept_case, COMMUNITY),
    UseCase(c.RefuseCase, c.refuse_case, COMMUNITY),
    UseCase(c.AssignCase, c.assign_case, COMMUNITY),
    UseCase(c.AddCoHandler, c.add_co_handler, HANDLER),
    UseCase(c.MergeCases, c.merge_cases, COMMUNITY),
    # handling
    UseCase(c.StartCase, c.start_case, HANDLER),
    UseCase(c.PauseCase, c.pause_case, HANDLER),
    UseCase(c.ResumeCase, c.resume_case, HANDLER),
    UseCase(c.ExtendDeadline, c.extend_deadline, COMMUNITY),
    UseCase(c.ResolveCase, c.resolve_case, HANDLER),
    UseCase(c.AnswerCase, c.answer_case, HANDLER),
    UseCase(c.AddMaterial, c.add_material, INTAKE),
    UseCase(c.Recuse, c.recuse, HANDLER),
    # the resident's side
    UseCase(c.RateCase, c.rate_case, RESIDENT),
    UseCase(c.ConfirmCase, c.confirm_case, RESIDENT),
    UseCase(c.ReopenCase, c.reopen_case, RESIDENT),
    UseCase(c.CloseCase, c.close_case, COMMUNITY),
    # petitions: review and re-review
    UseCase(petitions.RequestReview, petitions.request_review, RESIDENT),
    UseCase(petitions.AnswerReview, petitions.answer_review, DISTRICT),
    # mediation
    UseCase(m.StartMediation, m.start_mediation, HANDLER),
    UseCase(m.ConsentToMediation, m.consent_to_mediation, HANDLER),
    UseCase(m.RefuseMediation, m.refuse_mediation, HANDLER),
    UseCase(m.ChooseMediator, m.choose_mediator, HANDLER),
    UseCase(m.RejectMediator, m.reject_mediator, HANDLER),
    UseCase(m.RecordMediationSession, m.record_mediation_session, HANDLER),
    UseCase(m.DraftAgreement, m.draft_agreement, HANDLER),
    UseCase(m.SignAgreement, m.sign_agreement, HANDLER),
    UseCase(m.SealAgreement, m.seal_agreement, COMMUNITY),
    UseCase(m.ApplyForConfirmation, m.apply_for_confirmation, HANDLER),
    UseCase(m.FailMediation, m.fail_mediation, HANDLER),
    UseCase(m.EndMediation, m.end_mediation, HANDLER),
    UseCase(m.FollowUpMediation, m.follow_up_mediation, HANDLER),
    UseCase(m.ReferToPolice, m.refer_to_police, HANDLER),
    # village decisions
    UseCase(d.StartDecision, d.start_decision, COMMUNITY),
    UseCase(d.RecordDecisionMeeting, d.record_decision_meeting, COMMUNITY),
    UseCase(d.PublishDecision, d.publish_decision, COMMUNITY),
    # deadlines
    UseCase(deadlines.ScanDeadlines, deadlines.scan_deadlines, DISTRICT),
    # queries
    UseCase(queries.CaseQuery, queries.case, {**READ, "resident": "household"}, reads=True),
    UseCase(
        queries.CaseTimeline, queries.case_timeline, {**READ, "resident": "household"}, reads=True
    ),
    UseCase(queries.Queue, queries.queue, READ, reads=True),
    UseCase(
        queries.OverdueCases, queries.overdue_cases, {**COMMUNITY, "auditor": "all"}, reads=True
    ),
    UseCase(queries.MyCases, queries.my_cases, RESIDENT, reads=True),
    UseCase(PersonalDataReadsQuery, personal_data_reads, READS_ROLES, reads=True),
    # the public's view (Open311)
    UseCase(public.CaseCategories, public.case_categories, {**READ, **INTAKE}, reads=True),
    UseCase(public.PublicCases, public.public_cases, PUBLIC, reads=True),
)
