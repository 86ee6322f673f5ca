{#- Joins dim_official on the posting of an official valid on a date. Postings of one official
    never overlap, so a fact row meets at most one posting. -#}
{% macro join_posting(alias, official_column, date_expression) -%}
    left join {{ ref('dim_official') }} as {{ alias }}
        on
            {{ official_column }} = {{ alias }}.official_code
            and {{ date_expression }} between {{ alias }}.posting_start_date
            and {{ alias }}.posting_valid_to_date
{%- endmacro %}
