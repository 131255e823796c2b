from services.crm.app import CrmApp
from services.shared.server import run

run(CrmApp())
