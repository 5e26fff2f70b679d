"""What every feature uses: policy, audit, pagination, htmx responses, formatting, time, text."""
