from services.shared.server import run
from services.tasheem.app import TasheemApp

run(TasheemApp())
