"""The demo district: the policy's four communities and cooperative branch, invented villages,
people and households, all marked ``sample`` (示例). Every command has a deterministic
idempotency key, so running the seed twice writes nothing the second time.

Invented ID numbers use the region code of 高密市 (370785) with a deterministic birth date and a
valid GB 11643-1999 check digit; phones are 138 followed by a running number.
"""

from __future__ import annotations

from typing import Any

from shequ.actor import Actor
from shequ.usecases import Bound
from stdnum.cn import ric

from registry.application import Registry
from registry.domain.team import GROUPS
from registry.usecases import USE_CASES

SINCE = "2024-01-01"
COMMUNITIES = (("立柱", "Lizhu"), ("塔桥", "Taqiao"), ("下泊", "Xiabo"), ("柏乡", "Baixiang"))
VILLAGE_SUFFIXES = ("东村", "西村", "南村")
ORGANS = (
    ("区党政办公室", "department"),
    ("社会事务办公室", "department"),
    ("农业服务站", "station"),
    ("财政所", "station"),
)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = "安平康乐宁和顺祥瑞福春秋明华兴旺"
DUTIES = {
    "mediation": "排查矛盾纠纷，调解邻里纠纷，受理信访诉求",
    "sanitation": "卫生清理，垃圾日产日清，美化村容村貌",
    "welfare": "协调自来水供应、医疗卫生、优抚救助",
    "services": "计生、民政、劳动保障、新农合等包办式服务",
    "finance": "财务审接、登记入账、财务公开，监督四审四议两公开",
    "volunteers": "思想教育、政策宣传、征集意见建议",
}


def sample_id_number(n: int, male: bool) -> str:
    """A valid, invented identity number for sample person ``n`` (deterministic)."""
    birth = f"{1950 + n % 50:04d}{1 + n % 12:02d}{1 + n % 28:02d}"
    seq = 2 * (n % 500) + (1 if male else 0)
    body = f"370785{birth}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def sample_phone(n: int) -> str:
    """An invented mobile number for sample person ``n``."""
    return f"138{n:08d}"


def sample_name(n: int) -> str:
    """An invented name: family name, 示 (sample), and a given character."""
    return SURNAMES[n % len(SURNAMES)] + "示" + GIVEN[(n // len(SURNAMES)) % len(GIVEN)]


def sample_person(n: int, name: str | None = None, male: bool = True) -> dict[str, Any]:
    """What ``register_person`` records of invented sample person ``n``: a name
    (``sample_name`` unless given), the gender, a valid identity number and a phone that follow
    from ``n``, marked sample."""
    return {
        "name": name or sample_name(n),
        "gender": "male" if male else "female",
        "id_number": sample_id_number(n, male),
        "phone": sample_phone(n),
        "sample": True,
    }


class Seeder:
    """Loads the demo district through the registry's use cases (``USE_CASES.bind``), with the
    same checks as RPC."""

    def __init__(
        self, registry: Registry | Bound, actor: Actor, households_per_village: int
    ) -> None:
        self.r = registry if isinstance(registry, Bound) else USE_CASES.bind(registry)
        self.actor = actor
        self.households = households_per_village
        self.n = 0

    def key(self, *parts: str) -> str:
        return "seed:" + ":".join(parts)

    def person(
        self, label: str, village_id: str | None, kinds: list[str], male: bool = True
    ) -> str:
        self.n += 1
        return str(
            self.r.register_person(
                self.actor,
                self.key("person", label),
                village_id=village_id,
                kinds=kinds,
                **sample_person(self.n, male=male),
            )["person_id"]
        )

    def organisation(self, tag: str, label: str, kind: str, name: str, **place: str) -> str:
        """A party organisation; ``place``: its community_id, village_id or parent_id."""
        return str(
            self.r.establish_organisation(
                self.actor, self.key("org", tag, label), kind=kind, name=name, **place
            )["organisation_id"]
        )

    def appoint(self, key: str, organisation_id: str, person_id: str, post: str) -> None:
        self.r.appoint(
            self.actor,
            key,
            organisation_id=organisation_id,
            person_id=person_id,
            post=post,
            since=SINCE,
        )

    def run(self) -> dict[str, Any]:
        r, a, k = self.r, self.actor, self.key
        r.establish_district(a, k("district"), name="胶河经济区")
        organs = [
            r.establish_organ(a, k("organ", name), name=name, kind=kind)["organ_id"]
            for name, kind in ORGANS
        ]
        out: dict[str, Any] = {"since": SINCE, "communities": {}}
        for i, (name, name_en) in enumerate(COMMUNITIES):
            out["communities"][name_en] = self.community(i, name, name_en, organs[i])
        r.establish_organisation(
            a, k("org", "cooperative"), kind="cooperative_branch", name="胶河马铃薯专业合作社党总支"
        )
        for community in out["communities"].values():  # after everyone else: names stay
            for village in community["villages"]:
                village["committee"] = self.committee(village)
        return out

    def committee(self, village: dict[str, Any]) -> dict[str, str]:
        """The village's villagers' committee: its branch secretary as chair (书记、主任
        "一肩挑"), a vice chair and a member; person ids by post."""
        vid, label = village["village_id"], f"committee:{village['village_id']}"
        holders = {
            "chair": village["secretary_id"],
            "vice_chair": self.person(f"{label}:vice_chair", vid, ["resident"], male=False),
            "member": self.person(f"{label}:member", vid, ["resident"]),
        }
        for post, person_id in holders.items():
            self.r.elect_committee_member(
                self.actor,
                self.key("committee", vid, post),
                village_id=vid,
                person_id=person_id,
                post=post,
                since=SINCE,
            )
        return holders

    def community(self, i: int, name: str, name_en: str, organ_id: str) -> dict[str, Any]:
        r, a, k = self.r, self.actor, self.key
        cid = r.establish_community(a, k("community", name_en), name=name, name_en=name_en)[
            "community_id"
        ]
        leader = self.person(f"{name_en}:leader", None, ["cadre", "party_member"])
        r.appoint_district_leader(
            a, k("leader", name_en), person_id=leader, title="工管委副主任", since=SINCE
        )
        cadre = self.person(f"{name_en}:cadre", None, ["cadre", "party_member"])
        r.assign_cadre(
            a,
            k("cadre", name_en),
            person_id=cadre,
            organ_id=organ_id,
            community_id=cid,
            since=SINCE,
        )
        villages = [self.village(cid, name, name_en, suffix) for suffix in VILLAGE_SUFFIXES]
        branch = self.organisation(
            "general", name_en, "general_branch", f"{name}社区党总支", community_id=cid
        )
        self.organisation(
            "functional",
            name_en,
            "functional_branch",
            f"{name}社区党员志愿服务功能型党支部",
            parent_id=branch,
        )
        posts = [
            (leader, "secretary"),
            (cadre, "deputy_secretary"),
            (villages[0]["secretary_id"], "deputy_secretary"),
        ]
        posts += [(v["secretary_id"], "member") for v in villages[1:]]
        for person_id, post in posts:
            self.appoint(k("appoint", branch, person_id, post), branch, person_id, post)
        team_id = self.team(cid, name_en, villages[0]["village_id"])
        return {
            "community_id": cid,
            "general_branch_id": branch,
            "team_id": team_id,
            "villages": villages,
        }

    def village(self, cid: str, name: str, name_en: str, suffix: str) -> dict[str, Any]:
        r, a, k = self.r, self.actor, self.key
        label = f"{name_en}:{suffix}"
        vid = r.register_village(
            a,
            k("village", label),
            community_id=cid,
            name=f"{name}{suffix}（示例）",
            sample=True,
            registered_on=SINCE,
        )["village_id"]
        org = self.organisation(
            "village", label, "village_branch", f"{name}{suffix}党支部（示例）", village_id=vid
        )
        secretary = self.person(f"{label}:secretary", vid, ["resident", "party_member"])
        self.appoint(k("appoint", org, secretary), org, secretary, "secretary")
        r.record_archive_entry(
            a,
            k("archive", label),
            subject_kind="village",
            subject_id=vid,
            entry_date=SINCE,
            title="村庄基本情况（示例）",
            content=f"{name}{suffix}：示例数据，村民小组三个。",
            retention="permanent",
        )
        households = [
            self.household(vid, f"{name}{suffix}", label, h) for h in range(self.households)
        ]
        r.assign_zone(
            a,
            k("zone", label),
            party_member_id=secretary,
            community_id=cid,
            village_id=vid,
            name=f"{name}{suffix}党员责任区（示例）",
        )
        for h in households[: r.settings.max_households]:
            r.link_household(
                a, k("link", secretary, h), party_member_id=secretary, household_id=h, since=SINCE
            )
        return {
            "village_id": vid,
            "branch_id": org,
            "secretary_id": secretary,
            "households": households,
        }

    def household(self, vid: str, village_name: str, label: str, h: int) -> str:
        r, a, k = self.r, self.actor, self.key
        head = self.person(f"{label}:h{h}:head", vid, ["resident"], male=True)
        hid = r.register_household(
            a,
            k("household", label, str(h)),
            village_id=vid,
            head_id=head,
            since=SINCE,
            sample=True,
            address=f"{village_name}第{h % 3 + 1}村民小组",
        )["household_id"]
        spouse = self.person(f"{label}:h{h}:spouse", vid, ["resident"], male=False)
        r.add_household_member(
            a,
            k("member", hid, spouse),
            household_id=hid,
            person_id=spouse,
            relation="spouse",
            since=SINCE,
        )
        return str(hid)

    def team(self, cid: str, name_en: str, village_id: str) -> str:
        r, a, k = self.r, self.actor, self.key
        team_id = r.form_team(a, k("team", name_en), community_id=cid)["team_id"]
        for g, group in enumerate(GROUPS):
            member = self.person(
                f"{name_en}:team:{group}", village_id, ["resident"], male=g % 2 == 0
            )
            r.add_team_member(
                a,
                k("team-member", team_id, group),
                team_id=team_id,
                person_id=member,
                group=group,
                duties=DUTIES[group],
                since=SINCE,
            )
            if g == 0:
                r.appoint_team_leader(
                    a, k("team-leader", team_id), team_id=team_id, person_id=member, since=SINCE
                )
        return str(team_id)


def seed_demo(
    registry: Registry | Bound, actor: Actor, households_per_village: int = 10
) -> dict[str, Any]:
    """Load the demo district (idempotent); returns the ids of what it holds."""
    return Seeder(registry, actor, households_per_village).run()
