from django.utils.translation import gettext as _

from core.money import minor_units_per_major


def show_error(form, error) -> None:
    """Put a service's refusal next to the field it names, or above the form."""
    field = getattr(error, "field", None)
    form.add_error(field if field in form.fields else None, error.message)


def clean_price(form, data: dict) -> None:
    """The `price` a person typed in major units of the chosen `currency`, as `price_amount` in
    minor units; an amount finer than the currency allows is an error next to the field."""
    price, currency = data.get("price"), data.get("currency")
    if price is None or not currency:
        return
    amount = price * minor_units_per_major(currency)
    if amount != int(amount):
        form.add_error("price", _("Too many decimal places for this currency."))
    else:
        data["price_amount"] = int(amount)
