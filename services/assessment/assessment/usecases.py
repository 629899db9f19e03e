"""Every assessment use case: its command model, its handler, who may call it (roles × scope)
and whether it only reads. The RPC entrypoints, the application's policy, ``shequ call
assessment --help`` and the README's method table all come from this table.

The district committee (district staff) sets schemes, enters scores, scores periods and grants
rewards; a community's branch (community staff) registers its members' pledges and their
fulfilment and appraisal; results and published pledges are public (residents read them,
names masked); auditors read everything.
"""

from __future__ import annotations

from shequ.auth import DISTRICT
from shequ.readlog import READS_ROLES, PersonalDataReadsQuery, personal_data_reads
from shequ.usecases import UseCase, UseCases

from assessment import periods, pledges, results, rewards, schemes

BRANCH = {**DISTRICT, "community_staff": "community"}
STAFF = {**DISTRICT, "community_staff": "all", "auditor": "all"}
PUBLIC = {**STAFF, "team_member": "all", "resident": "all"}

USE_CASES = UseCases(
    "assessment",
    # schemes and periods (the district committee)
    UseCase(schemes.DefineScheme, schemes.define_scheme, DISTRICT),
    UseCase(schemes.ReviseScheme, schemes.revise_scheme, DISTRICT),
    UseCase(periods.EnterScore, periods.enter_score, DISTRICT),
    UseCase(periods.ScorePeriod, periods.score_period, DISTRICT),
    UseCase(periods.ReopenPeriod, periods.reopen_period, DISTRICT),
    # rewards and exemplary communities
    UseCase(rewards.GrantReward, rewards.grant_reward, DISTRICT),
    UseCase(rewards.DesignateExemplary, rewards.designate_exemplary, DISTRICT),
    # pledges (the branch)
    UseCase(pledges.RegisterPledges, pledges.register_pledges, BRANCH),
    UseCase(pledges.PublishPledges, pledges.publish_pledges, BRANCH),
    UseCase(pledges.RecordFulfilment, pledges.record_fulfilment, BRANCH),
    UseCase(pledges.AppraiseMember, pledges.appraise_member, BRANCH),
    # queries
    UseCase(schemes.SchemeQuery, schemes.scheme, PUBLIC, reads=True),
    UseCase(results.Scoreboard, results.scoreboard, PUBLIC, reads=True),
    UseCase(results.ExportScores, results.export_scores, STAFF, reads=True),
    UseCase(
        results.IndicatorSources,
        results.indicator_sources,
        {**DISTRICT, "community_staff": "community", "auditor": "all"},
        reads=True,
    ),
    UseCase(
        periods.RecomputePeriod,
        periods.recompute_period,
        {**DISTRICT, "auditor": "all"},
        reads=True,
    ),
    UseCase(periods.Periods, periods.periods, STAFF, reads=True),
    UseCase(pledges.Pledges, pledges.pledges, PUBLIC, reads=True),
    UseCase(rewards.Rewards, rewards.rewards, PUBLIC, reads=True),
    UseCase(PersonalDataReadsQuery, personal_data_reads, READS_ROLES, reads=True),
)
