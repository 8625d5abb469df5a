.PHONY: run test lint format bench check

run:        ## start the demo (SQLite, worker, beat, demo data)
	python3 dev.py run

test:       ## run the test suite (set DATABASE_URL/REDIS_URL for PostgreSQL/Redis)
	python3 dev.py test

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

format:
	.venv/bin/ruff check --fix . && .venv/bin/ruff format .

bench:      ## benchmarks against PostgreSQL (see bench/README.md)
	.venv/bin/python bench/run.py

check:      ## production settings sanity check
	DEBUG=0 SECRET_KEY=$$(python3 -c 'import secrets;print(secrets.token_urlsafe(50))') ALLOWED_HOSTS=example.com .venv/bin/python manage.py check --deploy
