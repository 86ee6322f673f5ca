{#- How many rows of the group meet the condition; portable where FILTER is not. -#}
{% macro count_where(condition) -%}
    sum(case when {{ condition }} then 1 else 0 end)
{%- endmacro %}
