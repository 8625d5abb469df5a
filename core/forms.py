def show_error(form, error) -> None:
    """Put a service's refusal next to the field it names, or above the form."""
    field = getattr(error, "field", None)
    form.add_error(field if field in form.fields else None, error.message)
