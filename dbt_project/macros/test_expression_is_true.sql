{#- Fails for each row where the SQL expression does not hold. -#}
{% test expression_is_true(model, expression) %}
    select *
    from {{ model }}
    where not ({{ expression }})
{% endtest %}
