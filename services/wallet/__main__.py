from services.shared.server import run
from services.wallet.app import WalletApp

run(WalletApp())
