with

source as (

    select * from {{ source('raw', 'tiep_cong_dan') }}

),

renamed as (

    select
        _month as month_date,
        session_id,
        unit_code,
        official_code,
        scheduled_date,
        held_date,
        citizens_received,
        _file as source_file,
        _line as source_line,
        _file_sha256 as source_file_sha256

    from source

)

select * from renamed
