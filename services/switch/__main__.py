from services.shared.server import run
from services.switch.app import SwitchApp

run(SwitchApp())
