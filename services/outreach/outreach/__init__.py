"""Outreach (联系服务): contact cards, visit rounds, party-member household contact, publicity."""
