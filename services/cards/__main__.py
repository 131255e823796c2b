from services.cards.app import CardsApp
from services.shared.server import run

run(CardsApp())
