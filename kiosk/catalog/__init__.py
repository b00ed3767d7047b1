"""What the MPP offers: the service catalog (agencies, services, requirements, quotas) and the
application forms some services ask for. Data and rules only; loaded from ``config/``."""
