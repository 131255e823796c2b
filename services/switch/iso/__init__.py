"""ISO 8583 as the switch speaks it: the message spec, framing, field rules, MAC and codes.

Encoding lives here and knows nothing of cards, offers or money; the switch's business rules
live in services/switch/orchestrator.py and only see decoded, validated values.
"""
