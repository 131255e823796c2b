"""ISO 8583 as the switch speaks it: the message spec, framing, field rules, MAC, and which flow
answers which message (routes.py).

Encoding lives here and knows nothing of cards, offers or money; the switch's business rules
live in its flows' participants (services/switch/flow_table.py) and only see decoded, validated
values.
"""
