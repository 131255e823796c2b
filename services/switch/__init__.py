"""The switch: the ISO 8583 TCP front and the gRPC Authorization API, the transaction journal
and reversals. It owns no money: every posting is the wallet's."""
