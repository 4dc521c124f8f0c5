"""Building blocks every area uses: config, database, jobs, web shell, health, logs."""
