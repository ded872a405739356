"""Data at scale, for anyone to measure: `flask seed-scale` and the seeder it shares with tests and bench/."""
