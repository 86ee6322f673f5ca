{#- Fails for each row where any of the columns is null: one test per model rather than one per
    column, because every test is a node that dbt and Dagster pay for at each close. -#}
{% test not_null_columns(model, columns) %}
    select {{ columns | join(', ') }}
    from {{ model }}
    where {% for column in columns -%}
        {{ column }} is null{% if not loop.last %} or {% endif %}
    {%- endfor %}
{% endtest %}
