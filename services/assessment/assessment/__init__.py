"""Assessment service (考核服务): schemes, indicators from events, scores, pledges, rankings."""
