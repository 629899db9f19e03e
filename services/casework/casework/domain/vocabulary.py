"""The words of casework (案件办理), keys with their Chinese names. Pure."""

from __future__ import annotations

from shequ.domainkit import TEAM_GROUPS

CASE_TYPES = {
    "demand": "诉求",
    "suggestion": "意见建议",
    "petition": "信访",
    "dispute": "矛盾纠纷",
    "decision": "村级重大事项",
}

CHANNELS = {
    "walk_in": "便民服务中心来访",
    "suggestion_box": "意见箱",
    "contact_card": "联系卡来电",
    "visit": "走访",
    "party_contact": "党员联系户",
    "survey": "调研问卷",
    "open311": "网上提交（Open311）",
    "committee": "组织主动发起",
}

STATES = {
    "received": "已登记",
    "accepted": "已受理",
    "refused": "不予受理",
    "assigned": "已交办",
    "in_progress": "办理中",
    "resolved": "已办结",
    "answered": "已答复",
    "rated": "已评价",
    "confirmed": "已确认",
    "reopened": "已重新办理",
    "in_review": "复查复核中",
    "closed": "已关闭",
    "merged": "已合并",
}

# States in which a case is still being worked on (deadlines run, duplicates are looked for).
OPEN = ("received", "accepted", "assigned", "in_progress", "reopened", "in_review")
# States in which the handling deadline runs and the case may be paused or extended.
HANDLING = ("accepted", "assigned", "in_progress", "reopened")

REFUSALS = {
    "not_competent": "不属于本机关职权范围（异议）",
    "out_of_scope": "不属于受理范围",
    "same_facts": "同一事实和理由已经复核终结",
    "other": "其他原因",
}

# 信访工作条例 2022 Art. 32: 予以支持 / 解释说明 / 不予支持.
OUTCOMES = {"supported": "予以支持", "explained": "解释说明", "not_supported": "不予支持"}
REVIEW_LEVELS = {"review": "复查", "re_review": "复核"}
PETITION_FORMS = {"written": "书面", "oral": "口头（记录）"}
REPLY_FIELDS = ("request", "facts", "decision", "basis")

# Category -> the work group of the community's service team that handles it (BRIEF).
CATEGORIES = {
    "neighbour_dispute": ("mediation", "邻里纠纷"),
    "family_dispute": ("mediation", "家庭纠纷"),
    "land_dispute": ("mediation", "土地纠纷"),
    "petition": ("mediation", "信访事项"),
    "sanitation": ("sanitation", "环境卫生"),
    "rubbish": ("sanitation", "垃圾清运"),
    "village_appearance": ("sanitation", "村容村貌"),
    "water_supply": ("welfare", "供水"),
    "medical_care": ("welfare", "医疗"),
    "relief": ("welfare", "优抚救助"),
    "civil_affairs": ("services", "民政"),
    "social_security": ("services", "劳动和社会保障"),
    "medical_insurance": ("services", "新农合"),
    "construction": ("services", "村镇建设"),
    "family_planning": ("services", "计划生育"),
    "errand": ("services", "包办代办"),
    "village_finance": ("finance", "村级财务"),
    "collective_assets": ("finance", "集体资产"),
    "village_decision": ("finance", "四议两公开"),
    "policy_publicity": ("volunteers", "政策宣传"),
    "livelihood": ("volunteers", "创业增收"),
    "other": ("services", "其他"),
}

# The work groups of a community's service team (the registry's), key -> 中文.
GROUPS = {key: zh for key, (zh, _en) in TEAM_GROUPS.items()}
