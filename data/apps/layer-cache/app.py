"""A tiny report: summary statistics of a few measurements, with the heavy libraries a data app uses."""
import matplotlib
import numpy as np
import pandas as pd
from scipy import stats

measurements = pd.Series([12.1, 11.8, 12.6, 12.0, 11.9, 12.3])
print(f"mean {measurements.mean():.2f}, sem {stats.sem(measurements):.3f}")
print(f"numpy {np.__version__}, pandas {pd.__version__}, matplotlib {matplotlib.__version__}")
