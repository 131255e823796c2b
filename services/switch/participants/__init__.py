"""The participants of the switch's flows, one step each (base.py says what a participant is;
services/switch/flow_table.py orders them into flows)."""
