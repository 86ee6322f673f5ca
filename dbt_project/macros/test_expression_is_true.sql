{#- Fails for each row where the SQL expression does not hold. On a column, the expression
    still names its columns itself. -#}
{% test expression_is_true(model, expression, column_name=none) %}
    select *
    from {{ model }}
    where not ({{ expression }})
{% endtest %}
