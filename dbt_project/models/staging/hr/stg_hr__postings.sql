with

source as (

    select * from {{ source('raw', 'can_bo') }}

),

renamed as (

    select
        _month as month_date,
        official_code,
        full_name as official_name,
        unit_code,
        position as position_title,
        posting_start as posting_start_date,
        posting_end as posting_end_date,
        _file as source_file,
        _line as source_line,
        _file_sha256 as source_file_sha256

    from source

)

select * from renamed
