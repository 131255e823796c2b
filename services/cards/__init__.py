"""The cards service: members, products, cards, PIN/CVV, terminal keys."""
