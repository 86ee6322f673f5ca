{#- The distinct non-null values of a column, ordered, joined with ', '. -#}
{% macro list_agg(expression, order_by) -%}
    {{ return(adapter.dispatch('list_agg', 'kpi')(expression, order_by)) }}
{%- endmacro %}

{% macro default__list_agg(expression, order_by) -%}
    {{ dbt.listagg(expression, "', '", "order by " ~ order_by) }}
{%- endmacro %}
