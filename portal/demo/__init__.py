"""Realistic bilingual demo data for trying the portal."""
