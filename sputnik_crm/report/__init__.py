from . import sputnik_client_settlement
from . import sputnik_client_timeline
from . import sputnik_client_dynamics_report
from . import sputnik_cohort_report
from . import sputnik_quality_report
from . import sputnik_interaction_report
from . import sputnik_value_report
