"""Casework (案件办理): every matter has an owner, every case an outcome."""
