"""What the consumer runs: `huey_consumer clinic.tasks.consumer.huey` (settings as for the web app)."""

from clinic import create_app

app = create_app()
huey = app.extensions["huey"]
